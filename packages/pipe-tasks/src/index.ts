// @skystack/pipe-tasks: LSST's pipe_tasks — photometric calibration (PhotoCalTask), the
// `src` → `source` → `sourceTable` postprocessing (WriteSourceTableTask,
// TransformSourceTableTask) and the functor framework behind it.

// Errors
export { PipeTasksInvalidArgumentError, FunctorFileError, MissingColumnsError, PhotoCalError } from './errors.js';

// Functor framework
export { columnSource, numericColumn, missing, aliasMapOf, FunctorBase } from './functors.js';
export type { ColumnValues, ColumnSource, ColumnData, Functor } from './functors.js';
export { columnProducer, describeMissingColumns } from './missing-columns.js';
export { CompositeFunctor, columnData, makeField, makeTable } from './functors/composite-functor.js';
export type { SkippedFunctor, EvaluateOptions, EvaluateResult } from './functors/composite-functor.js';
export { loadFunctorFile, parseFunctorDefinition, expandPath, IMPLEMENTED_FUNCTORS, PIPE_TASKS_DIR } from './functors/functor-file.js';
export type { FunctorFile, UnsupportedFunctor } from './functors/functor-file.js';

// Functors
export { Column, Index, CoordColumn, RAColumn, DecColumn, RAErrColumn, DecErrColumn, RADecCovColumn, SinglePrecisionFloatColumn, HtmIndex20 } from './functors/column.js';
export {
  fluxName,
  fluxErrName,
  LocalPhotometry,
  LocalNanojansky,
  LocalNanojanskyErr,
  LocalMagnitude,
  LocalMagnitudeErr,
  LocalDipoleMeanFlux,
  LocalDipoleMeanFluxErr,
  LocalDipoleDiffFlux,
  LocalDipoleDiffFluxErr,
  NanoJansky,
  NanoJanskyErr,
  Mag,
  MagErr,
  COADD_ZP,
} from './functors/photometry.js';
export { ComputePixelScale, ConvertPixelToArcseconds, ConvertPixelSqToArcsecondsSq, ConvertDetectorAngleToPositionAngle } from './functors/local-wcs.js';

// Postprocessing tasks
export { WriteSourceTableConnections, WriteSourceTableConfig, WriteSourceTableTask } from './postprocess/write-source-table-task.js';
export type { WriteSourceTableInputs, WriteSourceTableResult } from './postprocess/write-source-table-task.js';
export {
  TransformSourceTableConnections,
  TransformSourceTableConfig,
  TransformSourceTableTask,
  DEFAULT_SOURCE_FUNCTOR_FILE,
  resolveColumns,
} from './postprocess/transform-source-table-task.js';
export type { TransformSourceTableInputs, TransformSourceTableResult } from './postprocess/transform-source-table-task.js';

// Photometric calibration
export {
  PhotoCalTask,
  PhotoCalConfig,
  PhotoCalMatchConfig,
  PhotoCalSourceSelectionConfig,
  PhotoCalFlagsConfig,
  PhotoCalSignalToNoiseConfig,
  PhotoCalUnresolvedConfig,
  PhotoCalReserveConfig,
  fitZeroPoint,
  magArraysFromFluxes,
  getRefFluxField,
} from './photo-cal/photo-cal-task.js';
export type {
  PhotoCalRecord,
  PhotoCalSchema,
  PhotoCalMatch,
  PhotoCalFluxes,
  PhotoCalMagArrays,
  ZeroPointFit,
  PhotoCalResult,
  PhotoCalTaskOptions,
  PhotoCalInputs,
} from './photo-cal/photo-cal-task.js';

// Single-frame calibration
export { CharacterizeImageError, CalibrateError, ScaleVarianceError } from './errors.js';
export { CalibrateConnections, CalibrateConfig, CalibrateTask } from './calibrate-task.js';
export type { CalibrateInputs, CalibrateResult, CalibrateTaskOptions } from './calibrate-task.js';
export { CharacterizeImageConnections, CharacterizeImageConfig, CharacterizeImageTask } from './characterize-image-task.js';
export type { CharacterizeImageInputs, CharacterizeImageResult, CharacterizeImageTaskOptions, DetectMeasureAndEstimatePsfResult } from './characterize-image-task.js';

// Scripts: `butler register-skymap` (pipe_tasks' script.registerSkymap) and the skyMap formatter
export {
  MakeSkyMapConfig,
  BaseSkyMapFields,
  RingsSkyMapFields,
  DiscreteSkyMapFields,
  EquatSkyMapFields,
  DodecaSkyMapFields,
  LegacyTractBuilderFields,
  CellTractBuilderFields,
} from './script/make-sky-map-config.js';
export type { SkyMapTypeMap, TractBuilderTypeMap } from './script/make-sky-map-config.js';
export {
  registerSkyMap,
  registerSkymap,
  makeSkyMapConfigFrom,
  makeSkyMapRecord,
  makeTractRecord,
  makePatchRecords,
  SKYMAP_RUN_COLLECTION_NAME,
  SKYMAP_DATASET_TYPE_NAME,
} from './script/register-skymap.js';
export type {
  SkyMapRecord,
  TractRecord,
  PatchRecord,
  RegisterSkyMapOptions,
  RegisterSkyMapResult,
  RegisterSkymapScriptOptions,
  RegisterSkymapScriptResult,
} from './script/register-skymap.js';
export { SkyMapFormatter, describeSkyMapFile, skyMapFromFile, SKYMAP_FORMATTER_NAME, SKYMAP_FILE_FORMAT, SKYMAP_FILE_VERSION } from './script/sky-map-formatter.js';
export type { SkyMapFileContent } from './script/sky-map-formatter.js';
export { HealSparseMapFormatter, HEALSPARSE_MAP_FORMATTER_NAME } from './script/healsparse-map-formatter.js';
export { butlerCommands } from './script/butler-commands.js';

// Coaddition: AssembleCoaddTask and afw.math.statisticsStack
export {
  AssembleCoaddConnections,
  AssembleCoaddConfig,
  AssembleCoaddTask,
  UNSUPPORTED_ASSEMBLE_COADD_OPTIONS,
  filterWarps,
} from './coadd/assemble-coadd-task.js';
export type { WarpHandle, ImageScaler, AssembleCoaddInputs, AssembleCoaddResult, AssembleCoaddPreparedInputs } from './coadd/assemble-coadd-task.js';
export { statisticsStack, STACK_STATISTICS } from './coadd/statistics-stack.js';
export type { StackStatistic, StatisticsStackOptions } from './coadd/statistics-stack.js';
export { makeSkyInfo, subBBoxIter, removeMaskPlanes, setRejectedMaskMapping, setCoaddEdgeBits, conformMaskPlanes } from './coadd/coadd-utils.js';
export type { SkyInfo } from './coadd/coadd-utils.js';
export { InMemoryWarpHandle } from './coadd/in-memory-warp-handle.js';

// Coadd processing: detection, merging, deblending and measurement, forced photometry and the
// object table (multiBand, mergeDetections, mergeMeasurements, forcedPhotCoadd, postprocess)
export { DetectCoaddSourcesConnections, DetectCoaddSourcesConfig, DetectCoaddSourcesTask } from './coadd-processing/detect-coadd-sources-task.js';
export type { DetectCoaddSourcesInputs, DetectCoaddSourcesResult } from './coadd-processing/detect-coadd-sources-task.js';
export { MergeDetectionsConnections, MergeDetectionsConfig, MergeDetectionsTask, CullPeaksConfig } from './coadd-processing/merge-detections-task.js';
export type { MergeDetectionsInputs, MergeDetectionsResult } from './coadd-processing/merge-detections-task.js';
export { MeasureMergedCoaddSourcesConnections, MeasureMergedCoaddSourcesConfig, MeasureMergedCoaddSourcesTask } from './coadd-processing/measure-merged-coadd-sources-task.js';
export type { MeasureMergedCoaddSourcesInputs, MeasureMergedCoaddSourcesResult } from './coadd-processing/measure-merged-coadd-sources-task.js';
export { SetPrimaryFlagsConfig, SetPrimaryFlagsTask } from './coadd-processing/set-primary-flags-task.js';
export { CatalogCalculationClassificationConfig, CatalogCalculationClassificationPlugin } from './coadd-processing/classification-extendedness.js';
export { MergeMeasurementsConnections, MergeMeasurementsConfig, MergeMeasurementsTask } from './coadd-processing/merge-measurements-task.js';
export type { MergeMeasurementsInputs, MergeMeasurementsResult } from './coadd-processing/merge-measurements-task.js';
export { ForcedPhotCoaddConnections, ForcedPhotCoaddConfig, ForcedPhotCoaddTask } from './coadd-processing/forced-phot-coadd-task.js';
export type { ForcedPhotCoaddInputs, ForcedPhotCoaddResult } from './coadd-processing/forced-phot-coadd-task.js';
export {
  WriteObjectTableConnections,
  WriteObjectTableConfig,
  WriteObjectTableTask,
  TransformObjectCatalogConnections,
  TransformObjectCatalogConfig,
  TransformObjectCatalogTask,
  ConsolidateObjectTableConnections,
  ConsolidateObjectTableConfig,
  ConsolidateObjectTableTask,
  DEFAULT_OBJECT_FUNCTORS,
  OBJECT_DATASETS,
  objectColumnName,
  parseObjectColumnName,
} from './coadd-processing/object-table-tasks.js';
export type { ObjectDataset, ObjectColumnParts, ConsolidateObjectTableResult, WriteObjectTableInputs, WriteObjectTableResult, TransformObjectCatalogInputs, TransformObjectCatalogResult } from './coadd-processing/object-table-tasks.js';
export { coaddExposureId } from './coadd-processing/coadd-ids.js';

// Warping: MakeWarpTask (deepCoadd_directWarp) and its helpers
export {
  MakeWarpConnections,
  MakeWarpConfig,
  MakeWarpTask,
  WarpAndPsfMatchConfig,
  WarperConfigFields,
  UNSUPPORTED_MAKE_WARP_OPTIONS,
  calibrateMaskedImage,
  copyGoodPixels,
} from './coadd/make-warp-task.js';
export type { MakeWarpInputs, MakeWarpResult, CalexpHandle } from './coadd/make-warp-task.js';
export { CoaddInputRecorderConfig, CoaddInputRecorderTask, CoaddTempExpInputRecorder } from './coadd/coadd-input-recorder-task.js';
export { HealSparseInputMapConfig, HealSparseInputMapTask } from './coadd/healsparse-input-map-task.js';
export { MakePsfMatchedWarpConnections, MakePsfMatchedWarpConfig, MakePsfMatchedWarpTask } from './coadd/make-psf-matched-warp-task.js';
export { HealSparsePropertyMapConnections, HealSparsePropertyMapConfig, HealSparsePropertyMapTask, computeNsideCoverageTract } from './coadd/healsparse-property-map-task.js';
export type { HealSparsePropertyMapInputs } from './coadd/healsparse-property-map-task.js';
export {
  PropertyMap,
  PropertyMapsConfig,
  BasePropertyMapConfig,
  PsfMaglimPropertyMapConfig,
  PROPERTY_MAP_NAMES,
  PROPERTY_MAP_OPS,
  propertyMapEnabled,
  computeApproxPsfSizeAndShape,
  approxPsfFromSummaryStats,
  computeCalibScale,
} from './coadd/healsparse-property-maps.js';
export type { PropertyMapOp, PropertyMapName, ApproxPsfArrays, PropertyMapInputs } from './coadd/healsparse-property-maps.js';
export type { MakePsfMatchedWarpInputs, MakePsfMatchedWarpResult } from './coadd/make-psf-matched-warp-task.js';
export {
  BestSeeingSelectVisitsConnections,
  BestSeeingSelectVisitsConfig,
  BestSeeingSelectVisitsTask,
  BestSeeingQuantileSelectVisitsConfig,
  BestSeeingQuantileSelectVisitsTask,
  makePatchPolygon,
  doesIntersectPolygon,
} from './coadd/select-images.js';
export type { VisitSummaryHandle, SelectVisitsInputs, SelectVisitsResult } from './coadd/select-images.js';

// Visit-level consolidation (drp_pipe step2a) and the ccdVisit/visit tables: sourceTable_visit,
// visitSummary (ExposureCatalog with summary statistics), ccdVisitTable, visitTable
export { concatTables } from './postprocess/concat-tables.js';
export { ConsolidateSourceTableConnections, ConsolidateSourceTableConfig, ConsolidateSourceTableTask, sortByDetector } from './postprocess/consolidate-source-table-task.js';
export type { ConsolidateSourceTableResult } from './postprocess/consolidate-source-table-task.js';
export { ExposureSummaryStats, EXPOSURE_SUMMARY_FIELDS } from './postprocess/exposure-summary-stats.js';
export { ComputeExposureSummaryStatsConfig, ComputeExposureSummaryStatsTask, zenithDistanceDeg } from './postprocess/compute-exposure-summary-stats-task.js';
export { ConsolidateVisitSummaryConnections, ConsolidateVisitSummaryConfig, ConsolidateVisitSummaryTask } from './postprocess/consolidate-visit-summary-task.js';
export type { VisitSummaryDetectorInput, ConsolidateVisitSummaryResult } from './postprocess/consolidate-visit-summary-task.js';
export {
  MakeCcdVisitTableConnections,
  MakeCcdVisitTableConfig,
  MakeCcdVisitTableTask,
  MakeVisitTableConnections,
  MakeVisitTableConfig,
  MakeVisitTableTask,
} from './postprocess/make-visit-table-tasks.js';
export type { VisitTableResult } from './postprocess/make-visit-table-tasks.js';

// Artifact-rejecting coaddition (lsst.drp.tasks.assemble_coadd.CompareWarpAssembleCoaddTask)
export {
  CompareWarpAssembleCoaddConnections,
  CompareWarpAssembleCoaddConfig,
  CompareWarpAssembleCoaddTask,
  UNSUPPORTED_COMPARE_WARP_OPTIONS,
} from './coadd/compare-warp-assemble-coadd-task.js';
export type {
  AltMaskSpans,
  CompareWarpSupplementaryData,
  CompareWarpAssembleCoaddInputs,
  CompareWarpAssembleCoaddResult,
} from './coadd/compare-warp-assemble-coadd-task.js';

// Variance rescaling (lsst.pipe.tasks.scaleVariance)
export { ScaleVarianceConfig, ScaleVarianceTask } from './scale-variance-task.js';
export type { ScaleFactors } from './scale-variance-task.js';
