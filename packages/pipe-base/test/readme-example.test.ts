// The README's PipelineTask example, compiled and run.
import { expect, it } from 'vitest';
import { Field } from '@skystack/pex-config';
import { Input, Output, PipelineTask, PipelineTaskConfig, Struct, defineConnections } from '../src/index.js';

class AddConnections extends defineConnections({
  dimensions: ['instrument', 'visit'],
  defaultTemplates: { prefix: 'demo' },
  connections: {
    input: new Input({ doc: 'numbers', name: '{prefix}_in', storageClass: 'StructuredDataDict', dimensions: ['instrument', 'visit'] }),
    output: new Output({ doc: 'sum', name: '{prefix}_sum', storageClass: 'StructuredDataDict', dimensions: ['instrument', 'visit'] }),
  },
}) {}
class AddConfig extends PipelineTaskConfig.withConnections(AddConnections) {
  offset = Field.float({ doc: 'Added to the sum.', default: 0 });
}
class AddTask extends PipelineTask<AddConfig> {
  static override ConfigClass = AddConfig;
  static override _DefaultName: string | undefined = 'add';
  override run(inputs: Record<string, unknown>): Struct {
    const { values } = inputs['input'] as { values: number[] };
    return new Struct({ output: { sum: values.reduce((a, b) => a + b, this.config.offset) } });
  }
}

it('the README PipelineTask example runs', () => {
  const task = new AddTask({ config: new AddConfig() });
  const result = task.run({ input: { values: [1, 2, 3] } }) as Struct;
  expect(result.getDict()).toEqual({ output: { sum: 6 } });
});
