import { describe, expect, it } from 'vitest';
import { Config, Field, FrozenConfigError } from '@skystack/pex-config';
import { Struct } from '../src/task/struct.js';
import { Task } from '../src/task/task.js';
import type { TaskOptions } from '../src/task/task.js';
import { TaskMetadata } from '../src/task/task-metadata.js';
import { timeMethod } from '../src/task/timer.js';
import { TaskDefinitionError, TaskMetadataError } from '../src/task/errors.js';

class ScaleConfig extends Config {
  factor = Field.float({ doc: 'Scale factor', default: 2 });
}
class ScaleTask extends Task<ScaleConfig> {
  static override ConfigClass = ScaleConfig;
  static override _DefaultName: string | undefined = 'scale';
  run(x: number): Struct<{ y: number }> {
    return timeMethod(this, 'run', () => new Struct({ y: this.config.factor * x }));
  }
}
class OffsetConfig extends Config {
  factor = Field.float({ doc: 'Offset, named like ScaleConfig.factor', default: 10 });
}
class OffsetTask extends Task<OffsetConfig> {
  static override ConfigClass = OffsetConfig;
  static override _DefaultName: string | undefined = 'offset';
  run(x: number): Struct<{ y: number }> {
    return new Struct({ y: this.config.factor + x });
  }
}
class AssembleConfig extends Config {
  scale = ScaleTask.makeField('How to scale');
}
class AssembleTask extends Task<AssembleConfig> {
  static override ConfigClass = AssembleConfig;
  static override _DefaultName: string | undefined = 'assembleCcd';
  readonly scale: ScaleTask;
  constructor(options: TaskOptions<AssembleConfig> = {}) {
    super(options);
    this.scale = this.makeSubtask<ScaleTask>('scale');
  }
}
class IsrConfig extends Config {
  doAssemble = Field.bool({ doc: 'Assemble?', default: true });
  assembleCcd = AssembleTask.makeField('Assembly');
}
class IsrTask extends Task<IsrConfig> {
  static override ConfigClass = IsrConfig;
  static override _DefaultName: string | undefined = 'isr';
  readonly assembleCcd: AssembleTask;
  constructor(options: TaskOptions<IsrConfig> = {}) {
    super(options);
    this.assembleCcd = this.makeSubtask<AssembleTask>('assembleCcd');
  }
  async runAsync(x: number): Promise<number> {
    return timeMethod(this, 'runAsync', async () => {
      await new Promise((r) => setTimeout(r, 5));
      return this.assembleCcd.scale.run(x).y;
    });
  }
}

describe('Task', () => {
  it('validates and freezes its config, and defaults names from _DefaultName', () => {
    const config = new ScaleConfig();
    const task = new ScaleTask({ config });
    expect(task.getName()).toBe('scale');
    expect(task.getFullName()).toBe('scale');
    expect(config.isFrozen()).toBe(true);
    expect(() => {
      config.factor = 3;
    }).toThrow(FrozenConfigError);
    expect(new ScaleTask({ name: 'other' }).getName()).toBe('other');
    expect(new ScaleTask().config.factor).toBe(2);
  });

  it('refuses a top-level task with no name and a subtask with no name', () => {
    class Nameless extends Task {}
    expect(() => new Nameless()).toThrow(TaskDefinitionError);
    expect(() => new ScaleTask({ parentTask: new ScaleTask() })).toThrow(/name is required for a subtask/);
  });

  it('builds subtasks from ConfigurableFields with hierarchical names, loggers and a shared task dict', () => {
    const config = new IsrConfig();
    config.assembleCcd.scale.factor = 4;
    const isr = new IsrTask({ config });
    expect(isr.assembleCcd.getFullName()).toBe('isr.assembleCcd');
    expect(isr.assembleCcd.scale.getFullName()).toBe('isr.assembleCcd.scale');
    expect(isr.assembleCcd.scale.getName()).toBe('scale');
    expect(isr.assembleCcd.log.name).toBe('isr.assembleCcd');
    expect(isr.assembleCcd.scale.config.factor).toBe(4);
    expect(isr.assembleCcd.scale.config.isFrozen()).toBe(true);
    expect([...isr.getTaskDict().keys()]).toEqual(['isr', 'isr.assembleCcd', 'isr.assembleCcd.scale']);
    expect(isr.assembleCcd.scale.getTaskDict().get('isr')).toBe(isr);
    expect(isr.assembleCcd.parentTask).toBe(isr);
    expect(() => isr.makeSubtask('doAssemble')).toThrow(/does not have a ConfigurableField or RegistryField named 'doAssemble'/);
  });

  it('follows a retargeted ConfigurableField', () => {
    const config = new AssembleConfig();
    config.scale.retarget(OffsetTask);
    const task = new AssembleTask({ config });
    expect(task.scale).toBeInstanceOf(OffsetTask);
    expect(task.scale.run(1).y).toBe(11);
  });

  it('prefixes the logger name with a given log', async () => {
    const { getLogger } = await import('@skystack/base');
    expect(new ScaleTask({ log: getLogger('pipetask') }).log.name).toBe('pipetask.scale');
  });

  it('writes timeMethod items as lsst.utils does, for sync and async work', async () => {
    const isr = new IsrTask();
    const y = await isr.runAsync(3);
    expect(y).toBe(6);
    const md = isr.metadata;
    for (const when of ['Start', 'End']) {
      for (const k of ['Utc', 'CpuTime', 'UserTime', 'SystemTime', 'MaxResidentSetSize', 'MinorPageFaults', 'MajorPageFaults',
        'BlockInputs', 'BlockOutputs', 'VoluntaryContextSwitches', 'InvoluntaryContextSwitches']) {
        expect(md.has(`runAsync${when}${k}`), `runAsync${when}${k}`).toBe(true);
      }
    }
    expect(md.get('__version__')).toBe(1);
    expect(String(md.get('runAsyncStartUtc'))).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    expect(Number(md.get('runAsyncEndCpuTime'))).toBeGreaterThanOrEqual(Number(md.get('runAsyncStartCpuTime')));
    expect(Number(md.get('runAsyncEndMaxResidentSetSize'))).toBeGreaterThan(1e6);
    const sub = isr.assembleCcd.scale.metadata;
    expect(sub.getArray('runStartUtc')).toHaveLength(1);
    isr.assembleCcd.scale.run(1);
    expect(sub.getArray('runStartUtc')).toHaveLength(2);
    const full = isr.getFullMetadata();
    expect(full.has('isr:assembleCcd:scale.runEndCpuTime')).toBe(true);
    expect(full.has('isr.runAsyncEndUtc')).toBe(true);
    isr.emptyMetadata();
    expect(isr.metadata.size).toBe(0);
    expect(isr.assembleCcd.scale.metadata.size).toBe(0);
  });

  it('records the end of timed work that throws', () => {
    const task = new ScaleTask();
    expect(() => task.timer('boom', () => {
      throw new Error('x');
    })).toThrow('x');
    expect(task.metadata.has('boomEndUtc')).toBe(true);
  });
});

describe('TaskMetadata', () => {
  it('stores scalars, lists and nested metadata with dotted keys, as pipe_base', () => {
    const md = new TaskMetadata();
    md.set('a', 1);
    md.add('a', 2);
    expect(md.get('a')).toBe(2);
    expect(md.getArray('a')).toEqual([1, 2]);
    md.set('b.c.d', 'x');
    md.set('b.e', true);
    expect(md.get('b.c.d')).toBe('x');
    expect(md.has('b.c')).toBe(true);
    expect([...md.names()].sort()).toEqual(['a', 'b', 'b.c', 'b.c.d', 'b.e']);
    expect([...md.names(true)].sort()).toEqual(['a', 'b']);
    expect([...md.paramNames(false)].sort()).toEqual(['a', 'b.c.d', 'b.e']);
    expect([...md.paramNames(true)]).toEqual(['a']);
    expect(md.toDict()).toEqual({ a: [1, 2], b: { c: { d: 'x' }, e: true } });
    expect(md.toJSON()).toEqual({ scalars: {}, arrays: { a: [1, 2] }, metadata: { b: { scalars: { e: true }, arrays: {}, metadata: { c: { scalars: { d: 'x' }, arrays: {}, metadata: {} } } } } });
    expect(TaskMetadata.fromJSON(JSON.parse(JSON.stringify(md)) as never).toDict()).toEqual(md.toDict());
    expect(TaskMetadata.fromDict(md.toDict()).toDict()).toEqual(md.toDict());
    md.delete('b.e');
    expect(md.has('b.e')).toBe(false);
    expect(md.get('missing', 'dflt')).toBe('dflt');
  });

  it('refuses mixed lists, type changes in add, add to nested metadata and other values', () => {
    const md = new TaskMetadata();
    expect(() => md.set('x', [1, 'a'])).toThrow(TaskMetadataError);
    md.add('n', 1);
    expect(() => md.add('n', 'a')).toThrow(/Type mismatch/);
    md.set('m.k', 1);
    expect(() => md.add('m', 1)).toThrow(/TaskMetadata/);
    expect(() => md.set('d', new Date() as never)).toThrow(TaskMetadataError);
    expect(() => md.getArray('nope')).toThrow(/'nope' not found/);
  });
});

describe('Struct', () => {
  it('holds typed items with getDict, mergeItems and copy, as lsst.pipe.base.Struct', () => {
    const s = new Struct({ mean: 1.5, stdDev: 0.2 });
    expect(s.mean).toBe(1.5);
    expect(s.getDict()).toEqual({ mean: 1.5, stdDev: 0.2 });
    expect(s.length).toBe(2);
    const c = s.copy();
    expect(c).not.toBe(s);
    expect(c.getDict()).toEqual(s.getDict());
    const merged = c.mergeItems(new Struct({ n: 10, x: 0 }), 'n');
    expect(merged.n).toBe(10);
    expect(merged.getDict()).toEqual({ mean: 1.5, stdDev: 0.2, n: 10 });
    expect(() => merged.mergeItems(new Struct({ n: 1 }), 'n')).toThrow(/already exists/);
    expect(() => new Struct({ __x: 1 })).toThrow(/must not begin with __/);
    expect(() => new Struct({ copy: 1 })).toThrow(/already exists/);
    expect(s).toBeInstanceOf(Struct);
    expect(String(s)).toBe('Struct(mean=1.5; stdDev=0.2)');
  });
});
