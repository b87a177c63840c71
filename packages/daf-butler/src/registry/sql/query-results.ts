import { DataIdValueError, InvalidQueryError, MissingCollectionError, MissingDatasetTypeError } from '../../errors.js';
import { DataCoordinate, type DataIdValue } from '../../dimensions/data-coordinate.js';
import type { DimensionGroup } from '../../dimensions/group.js';
import { DimensionRecord } from '../../dimensions/record.js';
import type { DimensionElement } from '../../dimensions/universe.js';
import { DatasetRef } from '../../datasets/dataset-ref.js';
import { DatasetType } from '../../datasets/dataset-type.js';
import { suggest } from '../../suggest.js';
import { CollectionType } from '../collection-type.js';
import type { QueryDatasetsOptions, QueryOptions, QueryResults } from '../registry.js';
import type { SqlRow } from './database.js';
import { QueryCompiler, makeRegionDecoder, skypixRegion, regionsOverlap, type CompiledQuery, type DatasetSearch, type QuerySpec } from './query-builder.js';
import { rowToRecord } from './record-codec.js';
import { q } from './schema.js';
import type { CollectionRecord, DatasetTypeRecord, SqlRegistry } from './sql-registry.js';

interface Window {
  limit: number | undefined;
  offset: number;
}

/** Runs a compiled query: SQL, then exact region tests, then limit/offset. */
async function runCompiled(reg: SqlRegistry, c: CompiledQuery, win: Window | undefined): Promise<{ rows: SqlRow[]; rejected: number }> {
  for (const [dim, values] of c.governorValues) for (const v of values) await reg.checkGovernorValue(dim, v);
  const sqlWindow = win !== undefined && c.postFilters.length === 0 && win.limit !== undefined;
  let sql = c.select + c.orderBy;
  const params = [...c.params];
  if (sqlWindow) {
    sql += ' LIMIT ? OFFSET ?';
    params.push(win!.limit!, win!.offset);
  }
  let rows = await reg.db.all(sql, params);
  let rejected = 0;
  if (c.postFilters.length > 0) {
    const decodeBytes = makeRegionDecoder();
    const decode = (col: string, v: unknown) => {
      const m = /^hp_(\d+)_/.exec(col);
      return m ? skypixRegion(Number(m[1]), Number(v)) : decodeBytes(v);
    };
    rows = rows.filter((r) => {
      for (const f of c.postFilters) {
        const a = decode(f.a, r[f.a]);
        const b = typeof f.b === 'string' ? decode(f.b, r[f.b]) : f.b;
        if (a === undefined || b === undefined || !regionsOverlap(a, b)) {
          rejected++;
          return false;
        }
      }
      return true;
    });
  }
  if (c.needsDedupe) {
    const seen = new Set<string>();
    const cols = [...c.dimensionColumns.values()];
    const extra = Object.keys(rows[0] ?? {}).filter((k) => k.startsWith('ds_') || k.startsWith('o_'));
    rows = rows.filter((r) => {
      const key = [...cols, ...extra].map((k) => String(r[k])).join('\u0000');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  if (win !== undefined && !sqlWindow) rows = rows.slice(win.offset, win.limit === undefined ? undefined : win.offset + win.limit);
  return { rows, rejected };
}

function toCoordinate(group: DimensionGroup, c: CompiledQuery, row: SqlRow): DataCoordinate {
  const values = new Map<string, DataIdValue>();
  for (const d of group.names) {
    const alias = c.dimensionColumns.get(d);
    if (alias === undefined) continue;
    const v = row[alias];
    if (v !== null && v !== undefined) values.set(d, typeof v === 'bigint' ? Number(v) : (v as DataIdValue));
  }
  return DataCoordinate.fromTrusted(group, values);
}

function describePattern(p: unknown): string {
  if (p === undefined) return 'the default collections';
  if (p instanceof RegExp) return String(p);
  if (Array.isArray(p)) return p.map((x) => (x instanceof RegExp ? String(x) : `'${String(x)}'`)).join(', ');
  return `'${String(p)}'`;
}

/** Shared machinery of the three result kinds. */
abstract class BaseResults<T> implements QueryResults<T> {
  protected readonly reg: SqlRegistry;
  protected readonly options: QueryOptions;
  protected order: string[] = [];
  protected window: Window | undefined;
  protected withRecords = false;

  constructor(reg: SqlRegistry, options: QueryOptions) {
    this.reg = reg;
    this.options = options;
  }

  protected abstract fetch(win: Window | undefined): Promise<T[]>;

  /** Checks the orderBy terms (at run time, so the error arrives with the results). */
  protected checkOrder(): void {
    if (this.order.some((t) => t === '' || t === '-')) {
      throw new InvalidQueryError(`orderBy(${this.order.map((f) => JSON.stringify(f)).join(', ')}): empty field name.`, {
        hint: "Give field names such as 'visit', '-visit.exposure_time' or 'timespan.begin'.",
      });
    }
  }
  protected abstract diagnose(): Promise<string[]>;

  /** @inheritDoc */
  orderBy(...fields: string[]): this {
    const terms = fields.flatMap((f) => f.split(',')).map((f) => f.trim());
    this.order = terms;
    return this;
  }

  /** @inheritDoc */
  limit(limit: number, offset = 0): this {
    if (!Number.isInteger(limit) || limit < 0 || !Number.isInteger(offset) || offset < 0) {
      throw new InvalidQueryError(`limit(${limit}, ${offset}): both must be non-negative integers.`);
    }
    this.window = { limit, offset };
    return this;
  }

  /** @inheritDoc */
  expanded(): this {
    this.withRecords = true;
    return this;
  }

  /** @inheritDoc */
  async toArray(): Promise<T[]> {
    this.checkOrder();
    return this.fetch(this.window);
  }

  /** @inheritDoc */
  async count(): Promise<number> {
    this.checkOrder();
    const fast = await this.countInSql();
    return fast ?? (await this.toArray()).length;
  }

  /** A count computed by the database, when no row needs testing afterwards; else undefined. */
  protected countInSql(): Promise<number | undefined> {
    return Promise.resolve(undefined);
  }

  /** @inheritDoc */
  async any(): Promise<boolean> {
    this.checkOrder();
    return (await this.fetch({ limit: 1, offset: this.window?.offset ?? 0 })).length > 0;
  }

  /** @inheritDoc */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (const x of await this.toArray()) yield x;
  }

  /** @inheritDoc */
  async explainNoResults(): Promise<string[]> {
    try {
      if (await this.any()) return [];
    } catch (e) {
      if (e instanceof MissingDatasetTypeError || e instanceof DataIdValueError || e instanceof MissingCollectionError) return [e.message];
      throw e;
    }
    return this.diagnose();
  }

  /** Data ID constraint with registry defaults for the dimensions involved. */
  protected dataIdFor(dims: DimensionGroup): DataCoordinate | undefined {
    const given = this.options.dataId;
    const u = this.reg.universe;
    const plain: Record<string, DataIdValue> = {};
    if (given instanceof DataCoordinate) Object.assign(plain, given.mapping);
    else if (given) for (const [k, v] of Object.entries(given)) if (v !== undefined && v !== null) plain[k] = v as DataIdValue;
    const involved = u.conform([...dims.names, ...Object.keys(plain).filter((k) => u.has(k))]);
    for (const [k, v] of Object.entries(this.reg.defaultDataId)) if (involved.has(k) && !(k in plain)) plain[k] = v;
    if (Object.keys(plain).length === 0) return undefined;
    return DataCoordinate.standardize(plain, { universe: u });
  }

  protected async constraints(): Promise<DatasetSearch[]> {
    const ds = this.options.datasets;
    if (ds === undefined) return [];
    const list = Array.isArray(ds) ? ds : [ds as string | DatasetType];
    const collections = await this.reg.resolveCollections(this.options.collections);
    const out: DatasetSearch[] = [];
    for (const d of list) {
      const rec = await this.reg.getDatasetTypeRecord(typeof d === 'string' ? d : (d as DatasetType).name);
      out.push({ record: rec, collections });
    }
    return out;
  }

  /** Common diagnostics: data ID values without records, and the effect of the where clause. */
  protected async commonDiagnostics(spec: QuerySpec, rerun: (spec: QuerySpec) => Promise<number>): Promise<string[]> {
    const out: string[] = [];
    const u = this.reg.universe;
    const dataId = spec.dataId;
    if (dataId) {
      for (const [d, v] of Object.entries(dataId.mapping)) {
        const el = u.getElement(d);
        if (!el.hasTable) continue;
        const found = await this.reg.fetchRecords(el, [[...el.required.map((r) => (r === d ? v : dataId.get(r)!))]]);
        if (found.size === 0) out.push(`No '${d}' record with ${d}=${JSON.stringify(v)}${el.required.length > 1 ? ` (for ${el.requiredDependencies.map((r) => `${r}=${JSON.stringify(dataId.get(r))}`).join(', ')})` : ''}.`);
      }
    }
    for (const c of spec.constraints ?? []) out.push(...(await this.summaryDiagnostics(c.record, c.collections)));
    for (const name of spec.dimensions.names) {
      const el = u.getElement(name);
      if (!el.hasTable) continue;
      const any = await this.reg.db.all(`SELECT 1 AS x FROM ${q(el.name)} LIMIT 1`);
      if (any.length === 0) out.push(`There are no dimension records for '${name}' at all.`);
    }
    if (out.length === 0) {
      const { rows, rejected } = await runCompiled(this.reg, new QueryCompiler(this.reg, spec).compile(), undefined);
      if (rows.length === 0 && rejected > 0) {
        out.push(`${rejected} candidate rows matched the spatial index, but their regions did not overlap.`);
      }
    }
    if (spec.where && out.length === 0) {
      const without = await rerun({ ...spec, where: undefined, bind: undefined });
      if (without > 0) out.push(`The where expression '${spec.where}' excluded all ${without} rows that match the other constraints.`);
    }
    return out;
  }

  protected async summaryDiagnostics(rec: DatasetTypeRecord, collections: readonly CollectionRecord[]): Promise<string[]> {
    if (collections.length === 0) {
      return [`No collections match ${describePattern(this.options.collections)}, so no '${rec.datasetType.name}' datasets can be found.`];
    }
    for (const c of collections) {
      const s = await this.reg.getCollectionSummary(c.name);
      if (s.datasetTypes.some((d) => d.name === rec.datasetType.name)) return [];
    }
    return [
      `No dataset of type '${rec.datasetType.name}' is in the collections searched (${collections.map((c) => `'${c.name}'`).join(', ')}).`,
    ];
  }
}

/** Results of {@link SqlRegistry.queryDataIds}. */
export class DataIdQueryResults extends BaseResults<DataCoordinate> {
  /** The dimensions of the results. */
  readonly dimensions: DimensionGroup;

  constructor(reg: SqlRegistry, dimensions: DimensionGroup, options: QueryOptions) {
    super(reg, options);
    this.dimensions = dimensions;
  }

  async #spec(): Promise<QuerySpec> {
    return {
      dimensions: this.dimensions,
      where: this.options.where,
      bind: this.options.bind,
      dataId: this.dataIdFor(this.dimensions),
      constraints: await this.constraints(),
      orderBy: this.order,
    };
  }

  protected override async countInSql(): Promise<number | undefined> {
    if (this.dimensions.isEmpty) return undefined;
    const c = new QueryCompiler(this.reg, await this.#spec()).compile();
    if (c.postFilters.length > 0 || c.needsDedupe) return undefined;
    for (const [dim, values] of c.governorValues) for (const v of values) await this.reg.checkGovernorValue(dim, v);
    const rows = await this.reg.db.all(`SELECT COUNT(*) AS n FROM (${c.select}) q`, c.params);
    const n = Number(rows[0]!['n']);
    if (this.window === undefined) return n;
    return Math.max(0, Math.min(n - this.window.offset, this.window.limit ?? Infinity));
  }

  protected async fetch(win: Window | undefined): Promise<DataCoordinate[]> {
    const spec = await this.#spec();
    const c = new QueryCompiler(this.reg, spec).compile();
    if (this.dimensions.isEmpty) {
      const { rows } = await runCompiled(this.reg, c, { limit: 1, offset: 0 });
      const ids = rows.length > 0 || (spec.constraints ?? []).length === 0 ? [DataCoordinate.makeEmpty(this.reg.universe)] : [];
      return win?.limit === 0 ? [] : ids;
    }
    const { rows } = await runCompiled(this.reg, c, win);
    const ids = rows.map((r) => toCoordinate(this.dimensions, c, r));
    return this.withRecords ? this.reg.expandDataIds(ids) : ids;
  }

  protected async diagnose(): Promise<string[]> {
    const spec = await this.#spec();
    return this.commonDiagnostics(spec, async (s) => (await runCompiled(this.reg, new QueryCompiler(this.reg, s).compile(), undefined)).rows.length);
  }
}

/** Results of {@link SqlRegistry.queryDimensionRecords}. */
export class RecordQueryResults extends BaseResults<DimensionRecord> {
  readonly #element: DimensionElement;

  constructor(reg: SqlRegistry, element: DimensionElement, options: QueryOptions) {
    super(reg, options);
    this.#element = element;
  }

  async #spec(): Promise<QuerySpec> {
    const dims = this.reg.universe.conform(this.#element.required);
    return {
      dimensions: dims,
      where: this.options.where,
      bind: this.options.bind,
      dataId: this.dataIdFor(dims),
      constraints: await this.constraints(),
      recordsOf: this.#element,
      orderBy: this.order,
    };
  }

  protected async fetch(win: Window | undefined): Promise<DimensionRecord[]> {
    const el = this.#element;
    const c = new QueryCompiler(this.reg, await this.#spec()).compile();
    const { rows } = await runCompiled(this.reg, c, win);
    if (!el.hasTable) {
      const key = (el as { keys?: { name: string }[] }).keys?.[0]?.name ?? 'name';
      return rows.map((r) => new DimensionRecord(el, { [key]: r[c.dimensionColumns.get(el.name)!] as string }));
    }
    return rows.map((r) => rowToRecord(el, r));
  }

  protected async diagnose(): Promise<string[]> {
    const spec = await this.#spec();
    return this.commonDiagnostics(spec, async (s) => (await runCompiled(this.reg, new QueryCompiler(this.reg, s).compile(), undefined)).rows.length);
  }
}

type DatasetTypeArg = string | DatasetType | RegExp | readonly (string | DatasetType | RegExp)[];

/** Results of {@link SqlRegistry.queryDatasets}. */
export class DatasetRefQueryResults extends BaseResults<DatasetRef> {
  readonly #datasetType: DatasetTypeArg;
  readonly #findFirst: boolean;

  constructor(reg: SqlRegistry, datasetType: DatasetTypeArg, options: QueryDatasetsOptions) {
    super(reg, options);
    this.#datasetType = datasetType;
    this.#findFirst = options.findFirst ?? false;
  }

  /** The dataset types searched, with the component asked for (if any). */
  async #types(): Promise<{ rec: DatasetTypeRecord; component: string | undefined }[]> {
    const args = Array.isArray(this.#datasetType) ? (this.#datasetType as (string | DatasetType | RegExp)[]) : [this.#datasetType as string | DatasetType | RegExp];
    const out: { rec: DatasetTypeRecord; component: string | undefined }[] = [];
    let all: DatasetTypeRecord[] | undefined;
    for (const a of args) {
      if (a instanceof DatasetType || (typeof a === 'string' && !/[*?]/.test(a))) {
        const name = typeof a === 'string' ? a : a.name;
        const [, component] = DatasetType.splitDatasetTypeName(name);
        out.push({ rec: await this.reg.getDatasetTypeRecord(name), component });
      } else {
        all ??= await this.reg.allDatasetTypeRecords();
        const re = typeof a === 'string' ? new RegExp(`^${a.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`) : a;
        for (const r of all) if (re.test(r.datasetType.name)) out.push({ rec: r, component: undefined });
      }
    }
    return out;
  }

  protected async fetch(win: Window | undefined): Promise<DatasetRef[]> {
    const types = await this.#types();
    const collections = await this.reg.resolveCollections(this.options.collections);
    const out: DatasetRef[] = [];
    const single = types.length === 1 && !this.#findFirst;
    for (const { rec, component } of types) {
      const dims = rec.datasetType.dimensions;
      const searches: DatasetSearch[] = [];
      if (collections.some((c) => c.type !== CollectionType.CALIBRATION)) searches.push({ record: rec, collections });
      if (rec.calibs !== null && collections.some((c) => c.type === CollectionType.CALIBRATION)) {
        if (this.#findFirst) {
          throw new InvalidQueryError(
            `findFirst searches for '${rec.datasetType.name}' through CALIBRATION collections need a validity time.`,
            { hint: 'Use findDataset(datasetType, dataId, { collections, timespan }), or findFirst: false.' },
          );
        }
        searches.push({ record: rec, collections, calibs: true });
      }
      let refs: { ref: DatasetRef; rank: number }[] = [];
      for (const search of searches) {
        const spec: QuerySpec = {
          dimensions: dims,
          where: this.options.where,
          bind: this.options.bind,
          dataId: this.dataIdFor(dims),
          search,
          orderBy: this.order,
        };
        const c = new QueryCompiler(this.reg, spec).compile();
        const { rows } = await runCompiled(this.reg, c, single && searches.length === 1 ? win : undefined);
        for (const r of rows) {
          const dataId = toCoordinate(dims, c, r);
          let ref = new DatasetRef(rec.datasetType, dataId, String(r['ds_run']), String(r['ds_id']));
          if (component !== undefined) ref = ref.makeComponentRef(component, `${rec.datasetType.storageClass}.${component}`);
          const cid = Number(r['ds_collection']);
          refs.push({ ref, rank: collections.findIndex((x) => x.id === cid) });
        }
      }
      if (this.#findFirst) {
        const best = new Map<string, { ref: DatasetRef; rank: number }>();
        for (const x of refs) {
          const k = x.ref.dataId.key;
          const b = best.get(k);
          if (b === undefined || x.rank < b.rank) best.set(k, x);
        }
        refs = refs.filter((x) => best.get(x.ref.dataId.key) === x);
      } else {
        const seen = new Set<string>();
        refs = refs.filter((x) => (seen.has(x.ref.id) ? false : (seen.add(x.ref.id), true)));
      }
      out.push(...refs.map((x) => x.ref));
    }
    const windowed = single && win !== undefined ? out : win === undefined ? out : out.slice(win.offset, win.limit === undefined ? undefined : win.offset + win.limit);
    if (!this.withRecords) return windowed;
    const byGroup = new Map<DimensionGroup, DatasetRef[]>();
    for (const r of windowed) byGroup.set(r.dataId.dimensions, [...(byGroup.get(r.dataId.dimensions) ?? []), r]);
    const expandedById = new Map<DatasetRef, DatasetRef>();
    for (const list of byGroup.values()) {
      const ids = await this.reg.expandDataIds(list.map((r) => r.dataId));
      list.forEach((r, i) => expandedById.set(r, r.expanded(ids[i]!)));
    }
    return windowed.map((r) => expandedById.get(r)!);
  }

  protected async diagnose(): Promise<string[]> {
    let types: { rec: DatasetTypeRecord; component: string | undefined }[];
    try {
      types = await this.#types();
    } catch (e) {
      if (e instanceof MissingDatasetTypeError) return [e.message];
      throw e;
    }
    if (types.length === 0) {
      const all = await this.reg.allDatasetTypeRecords();
      const pattern = String(this.#datasetType);
      return [`No registered dataset type matches '${pattern}'.${suggest(pattern.replace(/[*?]/g, ''), all.map((r) => r.datasetType.name)) ? ' ' + suggest(pattern.replace(/[*?]/g, ''), all.map((r) => r.datasetType.name)) : ''}`];
    }
    const collections = await this.reg.resolveCollections(this.options.collections);
    const out: string[] = [];
    for (const { rec } of types) {
      const reasons = await this.summaryDiagnostics(rec, collections);
      if (reasons.length > 0) {
        out.push(...reasons);
        continue;
      }
      const dims = rec.datasetType.dimensions;
      const spec: QuerySpec = { dimensions: dims, where: this.options.where, bind: this.options.bind, dataId: this.dataIdFor(dims), search: { record: rec, collections } };
      out.push(...(await this.commonDiagnostics(spec, async (s) => (await runCompiled(this.reg, new QueryCompiler(this.reg, s).compile(), undefined)).rows.length)));
    }
    return out;
  }
}
