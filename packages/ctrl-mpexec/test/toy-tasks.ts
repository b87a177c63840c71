// Toy PipelineTasks for the ctrl-mpexec tests and benchmarks, imported by module path (so that
// worker processes can load them): add → multiply over (instrument, visit, detector).
import { existsSync } from 'node:fs';
import { Field, ListField } from '@skystack/pex-config';
import { Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections } from '@skystack/pipe-base';

const VD = ['instrument', 'visit', 'detector'];
const SDD = 'StructuredDataDict';

class AddConnections extends defineConnections({
  dimensions: VD,
  connections: {
    input: new Input({ doc: 'Numbers', name: 'toyInput', storageClass: SDD, dimensions: VD }),
    output: new Output({ doc: 'Sums', name: 'toySum', storageClass: SDD, dimensions: VD }),
  },
}) {}

/** Config of {@link ToyAddTask}. */
export class ToyAddConfig extends PipelineTaskConfig.withConnections(AddConnections) {
  addend = Field.float({ doc: 'Amount to add', default: 1 });
  failDetectors = ListField({ doc: 'Detectors for which run() throws (while failMarker exists, if set)', dtype: 'int', default: [] });
  failMarker = Field.str({ doc: 'A file whose existence makes failDetectors fail (an outside cause a rerun can fix)', default: '' });
  spinMs = Field.float({ doc: 'CPU time to burn per quantum, ms', default: 0 });
}

/** Adds `addend` to `value`; throws for detectors in `failDetectors`. */
export class ToyAddTask extends PipelineTask<ToyAddConfig> {
  static override ConfigClass = ToyAddConfig;
  static override _DefaultName: string | undefined = 'toyAdd';
  override run(inputs: Record<string, unknown>): Struct {
    const { value, detector } = inputs['input'] as { value: number; detector: number };
    const failing = this.config.failMarker === '' || existsSync(this.config.failMarker);
    if (failing && this.config.failDetectors.includes(detector)) throw new Error(`toy failure for detector ${detector}`);
    const end = performance.now() + this.config.spinMs;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + 1);
    this.metadata.set('spin', x);
    this.log.info(`adding ${this.config.addend} to ${value}`);
    return new Struct({ output: { value: value + this.config.addend, detector } });
  }
}

class MultiplyConnections extends defineConnections({
  dimensions: VD,
  connections: {
    input: new Input({ doc: 'Sums', name: 'toySum', storageClass: SDD, dimensions: VD }),
    output: new Output({ doc: 'Products', name: 'toyProduct', storageClass: SDD, dimensions: VD }),
  },
}) {}

/** Config of {@link ToyMultiplyTask}. */
export class ToyMultiplyConfig extends PipelineTaskConfig.withConnections(MultiplyConnections) {
  factor = Field.float({ doc: 'Multiplier', default: 2 });
}

/** Multiplies `value` by `factor`. */
export class ToyMultiplyTask extends PipelineTask<ToyMultiplyConfig> {
  static override ConfigClass = ToyMultiplyConfig;
  static override _DefaultName: string | undefined = 'toyMultiply';
  override run(inputs: Record<string, unknown>): Struct {
    const { value, detector } = inputs['input'] as { value: number; detector: number };
    return new Struct({ output: { value: value * this.config.factor, detector } });
  }
}
