import { InvalidArgumentError } from '@skystack/base';

/**
 * Where SkyStack's implementation of a task is (or will be): a package and a named export.
 */
export interface TaskClassResolution {
  /** The package specifier, e.g. `@skystack/pipe-tasks`. */
  readonly module: string;
  /** The named export of that package, e.g. `CharacterizeImageTask`. */
  readonly exportName: string;
  /** The LSST class name this stands for, when known. */
  readonly lsstName: string | undefined;
}

/**
 * The alias table: LSST fully qualified task class names (as pipelines write them, including
 * the short re-exported forms such as `lsst.ip.isr.IsrTask`) mapped to the SkyStack module
 * specifier `@skystack/<package>#<Export>` that implements the task. The target packages need
 * not exist yet: this is data, and specifiers are resolved to classes later (by the executor).
 *
 * @see lsst.pipe.base.pipeline.Pipeline (which imports the Python class by name)
 */
export const TASK_ALIASES: ReadonlyMap<string, string> = new Map([
  // ip_isr
  ['lsst.ip.isr.IsrTask', '@skystack/ip-isr#IsrTask'],
  ['lsst.ip.isr.isrTask.IsrTask', '@skystack/ip-isr#IsrTask'],
  ['lsst.ip.isr.IsrTaskLSST', '@skystack/ip-isr#IsrTaskLSST'],
  ['lsst.ip.isr.isrTaskLSST.IsrTaskLSST', '@skystack/ip-isr#IsrTaskLSST'],
  // pipe_tasks: single frame
  ['lsst.pipe.tasks.characterizeImage.CharacterizeImageTask', '@skystack/pipe-tasks#CharacterizeImageTask'],
  ['lsst.pipe.tasks.calibrate.CalibrateTask', '@skystack/pipe-tasks#CalibrateTask'],
  ['lsst.pipe.tasks.calibrateImage.CalibrateImageTask', '@skystack/pipe-tasks#CalibrateImageTask'],
  ['lsst.pipe.tasks.postprocess.WriteSourceTableTask', '@skystack/pipe-tasks#WriteSourceTableTask'],
  ['lsst.pipe.tasks.postprocess.TransformSourceTableTask', '@skystack/pipe-tasks#TransformSourceTableTask'],
  ['lsst.pipe.tasks.postprocess.ConsolidateSourceTableTask', '@skystack/pipe-tasks#ConsolidateSourceTableTask'],
  ['lsst.pipe.tasks.postprocess.ConsolidateVisitSummaryTask', '@skystack/pipe-tasks#ConsolidateVisitSummaryTask'],
  ['lsst.pipe.tasks.postprocess.MakeCcdVisitTableTask', '@skystack/pipe-tasks#MakeCcdVisitTableTask'],
  ['lsst.pipe.tasks.postprocess.MakeVisitTableTask', '@skystack/pipe-tasks#MakeVisitTableTask'],
  // pipe_tasks / drp_tasks: warps and coadds
  ['lsst.pipe.tasks.makeWarp.MakeWarpTask', '@skystack/pipe-tasks#MakeWarpTask'],
  ['lsst.drp.tasks.make_direct_warp.MakeDirectWarpTask', '@skystack/pipe-tasks#MakeDirectWarpTask'],
  ['lsst.pipe.tasks.assembleCoadd.AssembleCoaddTask', '@skystack/pipe-tasks#AssembleCoaddTask'],
  ['lsst.drp.tasks.assemble_coadd.AssembleCoaddTask', '@skystack/pipe-tasks#AssembleCoaddTask'],
  ['lsst.pipe.tasks.selectImages.BestSeeingSelectVisitsTask', '@skystack/pipe-tasks#BestSeeingSelectVisitsTask'],
  ['lsst.drp.tasks.make_psf_matched_warp.MakePsfMatchedWarpTask', '@skystack/pipe-tasks#MakePsfMatchedWarpTask'],
  ['lsst.pipe.tasks.healSparseMapping.HealSparsePropertyMapTask', '@skystack/pipe-tasks#HealSparsePropertyMapTask'],
  ['lsst.pipe.tasks.healSparseMapping.HealSparseInputMapTask', '@skystack/pipe-tasks#HealSparseInputMapTask'],
  ['lsst.ip.diffim.modelPsfMatch.ModelPsfMatchTask', '@skystack/ip-diffim#ModelPsfMatchTask'],
  ['lsst.pipe.tasks.selectImages.BestSeeingQuantileSelectVisitsTask', '@skystack/pipe-tasks#BestSeeingQuantileSelectVisitsTask'],
  ['lsst.drp.tasks.assemble_coadd.CompareWarpAssembleCoaddTask', '@skystack/pipe-tasks#CompareWarpAssembleCoaddTask'],
  ['lsst.pipe.tasks.assembleCoadd.CompareWarpAssembleCoaddTask', '@skystack/pipe-tasks#CompareWarpAssembleCoaddTask'],
  ['lsst.pipe.tasks.selectImages.BestSeeingSelectVisitsTask', '@skystack/pipe-tasks#BestSeeingSelectVisitsTask'],
  ['lsst.drp.tasks.make_psf_matched_warp.MakePsfMatchedWarpTask', '@skystack/pipe-tasks#MakePsfMatchedWarpTask'],
  ['lsst.pipe.tasks.healSparseMapping.HealSparsePropertyMapTask', '@skystack/pipe-tasks#HealSparsePropertyMapTask'],
  ['lsst.pipe.tasks.healSparseMapping.HealSparseInputMapTask', '@skystack/pipe-tasks#HealSparseInputMapTask'],
  ['lsst.ip.diffim.modelPsfMatch.ModelPsfMatchTask', '@skystack/ip-diffim#ModelPsfMatchTask'],
  // pipe_tasks: multi-band coadd processing
  ['lsst.pipe.tasks.multiBand.DetectCoaddSourcesTask', '@skystack/pipe-tasks#DetectCoaddSourcesTask'],
  ['lsst.pipe.tasks.mergeDetections.MergeDetectionsTask', '@skystack/pipe-tasks#MergeDetectionsTask'],
  ['lsst.pipe.tasks.deblendCoaddSourcesPipeline.DeblendCoaddSourcesSingleTask', '@skystack/pipe-tasks#DeblendCoaddSourcesSingleTask'],
  ['lsst.pipe.tasks.multiBand.MeasureMergedCoaddSourcesTask', '@skystack/pipe-tasks#MeasureMergedCoaddSourcesTask'],
  ['lsst.pipe.tasks.mergeMeasurements.MergeMeasurementsTask', '@skystack/pipe-tasks#MergeMeasurementsTask'],
  ['lsst.drp.tasks.forcedPhotCoadd.ForcedPhotCoaddTask', '@skystack/pipe-tasks#ForcedPhotCoaddTask'],
  ['lsst.meas.base.forcedPhotCoadd.ForcedPhotCoaddTask', '@skystack/pipe-tasks#ForcedPhotCoaddTask'],
  ['lsst.meas.base.forcedPhotCcd.ForcedPhotCcdTask', '@skystack/pipe-tasks#ForcedPhotCcdTask'],
  ['lsst.pipe.tasks.postprocess.WriteObjectTableTask', '@skystack/pipe-tasks#WriteObjectTableTask'],
  ['lsst.pipe.tasks.postprocess.TransformObjectCatalogTask', '@skystack/pipe-tasks#TransformObjectCatalogTask'],
  ['lsst.pipe.tasks.postprocess.ConsolidateObjectTableTask', '@skystack/pipe-tasks#ConsolidateObjectTableTask'],
  // ip_diffim
  ['lsst.ip.diffim.getTemplate.GetTemplateTask', '@skystack/ip-diffim#GetTemplateTask'],
  ['lsst.ip.diffim.subtractImages.AlardLuptonSubtractTask', '@skystack/ip-diffim#AlardLuptonSubtractTask'],
  ['lsst.ip.diffim.detectAndMeasure.DetectAndMeasureTask', '@skystack/ip-diffim#DetectAndMeasureTask'],
  // ap_association
  ['lsst.ap.association.TransformDiaSourceCatalogTask', '@skystack/ap-association#TransformDiaSourceCatalogTask'],
  ['lsst.ap.association.DiaPipelineTask', '@skystack/ap-association#DiaPipelineTask'],
  ['lsst.ap.association.FilterDiaSourceCatalogTask', '@skystack/ap-association#FilterDiaSourceCatalogTask'],
]);

const SKYSTACK_SPECIFIER = /^(@skystack\/[a-z0-9][a-z0-9-]*(?:\/[a-z0-9][a-z0-9-]*)?)#([A-Za-z_$][\w$]*)$/;
const LSST_NAME = /^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+$/;

/**
 * Resolves a task class name as written in a pipeline to where SkyStack implements it.
 *
 * Accepts an LSST fully qualified name listed in {@link TASK_ALIASES} or SkyStack's own
 * `@skystack/<package>#<Export>` form (for which `lsstName` is the first LSST name aliased to
 * it, if any). Returns `undefined` for a well-formed LSST name SkyStack does not implement.
 *
 * @param name - the class as written in the pipeline
 * @param aliases - the alias table (default {@link TASK_ALIASES})
 * @returns where it lives, or undefined when it is not implemented
 * @throws {@link @skystack/base!InvalidArgumentError} when `name` is neither an LSST dotted name nor a SkyStack specifier
 * @example
 * ```ts
 * resolveTaskClassName('lsst.pipe.tasks.characterizeImage.CharacterizeImageTask');
 * // { module: '@skystack/pipe-tasks', exportName: 'CharacterizeImageTask', lsstName: 'lsst.pipe.tasks.characterizeImage.CharacterizeImageTask' }
 * resolveTaskClassName('@skystack/pipe-tasks#CalibrateImageTask').module; // '@skystack/pipe-tasks'
 * resolveTaskClassName('lsst.fgcmcal.fgcmFitCycle.FgcmFitCycleTask'); // undefined
 * ```
 * @see lsst.utils.doImportType (how LSST resolves the name)
 */
export function resolveTaskClassName(
  name: string,
  aliases: ReadonlyMap<string, string> = TASK_ALIASES,
): TaskClassResolution | undefined {
  const own = SKYSTACK_SPECIFIER.exec(name);
  if (own !== null) {
    let lsstName: string | undefined;
    for (const [lsst, spec] of aliases) {
      if (spec === name) {
        lsstName = lsst;
        break;
      }
    }
    return { module: own[1] ?? '', exportName: own[2] ?? '', lsstName };
  }
  if (!LSST_NAME.test(name)) {
    throw new InvalidArgumentError(
      `Task class '${name}' is neither a fully qualified Python class name (a.b.C) nor a SkyStack specifier (@skystack/package#Export).`,
    );
  }
  const spec = aliases.get(name);
  if (spec === undefined) return undefined;
  const m = SKYSTACK_SPECIFIER.exec(spec);
  if (m === null) throw new InvalidArgumentError(`Alias of '${name}' is not a SkyStack specifier: '${spec}'.`);
  return { module: m[1] ?? '', exportName: m[2] ?? '', lsstName: name };
}
