// The query compiler: turns a request for data IDs, dimension records or datasets, with
// a `where` expression, data ID constraints and dataset existence constraints, into one
// parameterised SELECT over the registry's tables, plus exact region tests run on the
// fetched rows. No user text ever becomes SQL: identifiers are resolved against the
// dimension universe and mapped to generated column names; every value is a parameter.
import {
  Angle,
  Circle,
  ConvexPolygon,
  HtmPixelization,
  LonLat,
  LonLatBox,
  Region,
  Relationship,
  UnitVector3d,
  decodeRegion,
} from '@skystack/geom';
import { InvalidQueryError } from '../../errors.js';
import type { DataCoordinate } from '../../dimensions/data-coordinate.js';
import type { DimensionGroup } from '../../dimensions/group.js';
import { Dimension, SkyPixDimension, type DimensionElement, type FieldSpec } from '../../dimensions/universe.js';
import { normalizeUuid } from '../../datasets/dataset-ref.js';
import type {
  Node} from '../../queries/expressions/tree.js';
import {
  BinaryOp,
  BindName,
  BoxNode,
  CircleNode,
  FunctionCall,
  GlobNode,
  Identifier,
  IsIn,
  NumericLiteral,
  Parens,
  PointNode,
  PolygonNode,
  RangeLiteral,
  RegionNode,
  StringLiteral,
  TimeLiteral,
  TupleNode,
  UnaryOp,
  UuidLiteral,
} from '../../queries/expressions/tree.js';
import { parseExpression } from '../../queries/expressions/parser.js';
import { suggest } from '../../suggest.js';
import { taiNsFromDate } from '../../time/astro-time.js';
import { Timespan } from '../../time/timespan.js';
import { CollectionType } from '../collection-type.js';
import type { BindValues } from '../registry.js';
import type { SqlDialect, SqlValue } from './database.js';
import { skypixRanges } from './record-codec.js';
import { columnOfDimension, fieldKind, q } from './schema.js';
import type { CollectionRecord, DatasetTypeRecord, SqlRegistry } from './sql-registry.js';

/** Value types of compiled expressions. */
type VType = 'int' | 'float' | 'string' | 'bool' | 'bytes' | 'time' | 'uuid' | 'null';

/** A compiled scalar expression. */
interface Scalar {
  readonly k: 'scalar';
  readonly sql: string;
  readonly params: SqlValue[];
  readonly type: VType;
  /** For dimension key columns: the dimension (used in messages). */
  readonly label: string;
}
/** A boolean condition. */
interface Cond {
  readonly k: 'cond';
  readonly sql: string;
  readonly params: SqlValue[];
}
/** A timespan-valued expression (column pair or literal pair). */
interface Span {
  readonly k: 'span';
  readonly begin: Scalar;
  readonly end: Scalar;
  readonly label: string;
}
/** A region-valued column of an element. */
interface RegionCol {
  readonly k: 'regioncol';
  readonly element: DimensionElement;
}
/** A region literal (POINT, CIRCLE, ...) or bound region. */
interface RegionLit {
  readonly k: 'regionlit';
  readonly region: Region;
  /** For points: the exact point (containment test). */
  readonly point?: UnitVector3d;
  readonly label: string;
}
/** A list of values (bound array). */
interface ListVal {
  readonly k: 'list';
  readonly items: Scalar[];
}
type Compiled = Scalar | Cond | Span | RegionCol | RegionLit | ListVal;

/** A dataset search joined into the query. */
export interface DatasetSearch {
  readonly record: DatasetTypeRecord;
  readonly collections: readonly CollectionRecord[];
  /** Search the calibration (validity range) table instead of the tags table. */
  readonly calibs?: boolean;
}

/** What to build. */
export interface QuerySpec {
  /** Dimensions the caller wants (before where/dataId add more). */
  readonly dimensions: DimensionGroup;
  readonly where?: string | undefined;
  readonly bind?: BindValues | undefined;
  readonly dataId?: DataCoordinate | undefined;
  /** Existence constraints (queryDataIds/queryDimensionRecords `datasets`). */
  readonly constraints?: readonly DatasetSearch[];
  /** The dataset search whose rows are returned (queryDatasets), if any. */
  readonly search?: DatasetSearch | undefined;
  /** For record queries: the element whose table rows are returned. */
  readonly recordsOf?: DimensionElement | undefined;
  readonly orderBy?: readonly string[];
}

/** A region test run on fetched rows. */
export interface PostFilter {
  /** Hidden column holding the first region. */
  readonly a: string;
  /** Hidden column holding the second region, or a literal. */
  readonly b: string | RegionLit;
}

/** The compiled query. */
export interface CompiledQuery {
  /** The SQL without ORDER BY/LIMIT. */
  readonly select: string;
  readonly params: SqlValue[];
  /** ORDER BY clause (may be empty). */
  readonly orderBy: string;
  /** Output columns: dimension name → alias. */
  readonly dimensionColumns: ReadonlyMap<string, string>;
  /** Dimensions of the whole query (output ⊆). */
  readonly group: DimensionGroup;
  readonly postFilters: readonly PostFilter[];
  /** Whether rows need de-duplication after post-filtering (hidden columns present). */
  readonly needsDedupe: boolean;
  /** Governor values the query names (`instrument = 'HSC'`): unknown ones are errors. */
  readonly governorValues: ReadonlyMap<string, ReadonlySet<string>>;
}

const DATASET_FIELDS = new Set(['dataset_id', 'ingest_date', 'run', 'collection', 'timespan']);

interface Table {
  alias: string;
  from: string;
  /** dimension → column expression provided by this table */
  provides: Map<string, string>;
}

function fieldType(f: FieldSpec): VType {
  return fieldKind(f) as VType;
}

function isNumeric(t: VType): boolean {
  return t === 'int' || t === 'float';
}

function stripAll(node: Node): Node {
  while (node instanceof Parens) node = node.expr;
  return node;
}

/** Compiles one query. */
export class QueryCompiler {
  readonly #reg: SqlRegistry;
  readonly #spec: QuerySpec;
  readonly #dialect: SqlDialect;
  readonly #tree: Node | undefined;
  readonly #tables: Table[] = [];
  readonly #elementAlias = new Map<string, string>();
  readonly #canonical = new Map<string, string>();
  readonly #joinConds: string[] = [];
  readonly #joinParams: SqlValue[] = [];
  readonly #hidden: string[] = [];
  /** Elements whose regions are fetched for the exact test, in an outer query by primary key. */
  readonly #hiddenRegions: DimensionElement[] = [];
  readonly #postFilters: PostFilter[] = [];
  readonly #governorValues = new Map<string, Set<string>>();
  #group!: DimensionGroup;
  #aliasCounter = 0;
  #searchAlias: string | undefined;

  constructor(reg: SqlRegistry, spec: QuerySpec) {
    this.#reg = reg;
    this.#spec = spec;
    this.#dialect = reg.db.dialect;
    this.#tree = spec.where ? parseExpression(spec.where) : undefined;
  }

  get #universe() {
    return this.#reg.universe;
  }

  // ------------------------------------------------------------ identifier analysis

  /**
   * What an identifier refers to: a dimension key, an element field, or a dataset field.
   * `group` is the group known so far (for unqualified metadata names).
   */
  #classify(name: string, group: DimensionGroup): { kind: 'dim'; dim: string } | { kind: 'field'; element: string; field: string; sub?: 'begin' | 'end' } | { kind: 'dataset'; field: string; sub?: 'begin' | 'end' } | { kind: 'null' } {
    const u = this.#universe;
    const parts = name.split('.');
    const searchName = this.#spec.search?.record.datasetType.name;
    if (parts.length === 1) {
      const [a] = parts as [string];
      if (a.toUpperCase() === 'NULL') return { kind: 'null' };
      if (u.has(a) && u.getElement(a).isDimension) return { kind: 'dim', dim: a };
      if (this.#spec.search && DATASET_FIELDS.has(a)) return { kind: 'dataset', field: a };
      if (a === 'ingest_date' || a === 'dataset_id' || a === 'run' || a === 'collection') {
        throw new InvalidQueryError(`'${a}' refers to a dataset field, but this query has no dataset search.`, {
          hint: 'Use queryDatasets, or qualify it with a dataset type name.',
        });
      }
      return this.#unqualifiedField(a, group);
    }
    if (parts.length === 2 || parts.length === 3) {
      const [a, b, c] = parts as [string, string, string | undefined];
      if (c !== undefined && c !== 'begin' && c !== 'end') {
        throw new InvalidQueryError(`Unrecognized identifier '${name}': only '<element>.timespan.begin|end' has three parts.`);
      }
      if ((a === 'timespan' || a === 'ingest_date') && (b === 'begin' || b === 'end') && c === undefined) {
        const f = this.#unqualifiedField(a, group);
        return f.kind === 'field' ? { ...f, sub: b } : f;
      }
      if (u.has(a)) {
        const el = u.getElement(a);
        const keys = el instanceof Dimension ? el.keys : [];
        if (c !== undefined) {
          if (b !== 'timespan' || !el.isTemporal) throw new InvalidQueryError(`Unrecognized identifier '${name}': '${a}' has no timespan.`);
          return { kind: 'field', element: a, field: 'timespan', sub: c };
        }
        if (el instanceof Dimension && b === el.primaryKey.name) return { kind: 'dim', dim: a };
        if (el.required.includes(b) || el.implies.includes(b)) return { kind: 'dim', dim: b };
        if (keys.some((k) => k.name === b) || el.metadata.some((m) => m.name === b)) return { kind: 'field', element: a, field: b };
        if (b === 'region' && el.isSpatial) return { kind: 'field', element: a, field: 'region' };
        if (b === 'timespan' && el.isTemporal) return { kind: 'field', element: a, field: 'timespan' };
        const known = [...keys.map((k) => k.name), ...el.metadata.map((m) => m.name), ...el.required, ...el.implies];
        if (el.isSpatial) known.push('region');
        if (el.isTemporal) known.push('timespan');
        throw new InvalidQueryError(`Unrecognized identifier '${name}': '${a}' has no field '${b}'.`, { hint: suggest(b, known) });
      }
      if (searchName !== undefined && a === searchName) {
        if (!DATASET_FIELDS.has(b)) {
          throw new InvalidQueryError(`Unrecognized identifier '${name}': dataset fields are ${[...DATASET_FIELDS].join(', ')}.`);
        }
        return c === undefined ? { kind: 'dataset', field: b } : { kind: 'dataset', field: b, sub: c };
      }
      if ((this.#spec.constraints ?? []).some((s) => s.record.datasetType.name === a)) {
        throw new InvalidQueryError(`'${name}': fields of constraint dataset types cannot be used in where; query them with queryDatasets.`);
      }
      throw new InvalidQueryError(`Unrecognized identifier '${name}'.`, {
        hint: suggest(a, [...u.elements.map((e) => e.name), ...(searchName ? [searchName] : [])]),
      });
    }
    throw new InvalidQueryError(`Unrecognized identifier '${name}'.`);
  }

  #unqualifiedField(a: string, group: DimensionGroup): { kind: 'field'; element: string; field: string } | { kind: 'dataset'; field: string } {
    const u = this.#universe;
    if (a === 'ingest_date' && this.#spec.search) return { kind: 'dataset', field: a };
    if (a === 'timespan' || a === 'region') {
      // The most precise element of the one temporal (spatial) family in the query.
      const fams = [...(a === 'timespan' ? group.temporal : group.spatial).values()].filter((e) => e.hasTable || a === 'region');
      if (fams.length === 1) return { kind: 'field', element: fams[0]!.name, field: a };
      if (fams.length > 1) {
        throw new InvalidQueryError(`Ambiguous identifier '${a}': it could be ${fams.map((e) => `'${e.name}.${a}'`).join(' or ')}.`, {
          hint: `Qualify it, e.g. '${fams[0]!.name}.${a}'.`,
        });
      }
    }
    const candidates: string[] = [];
    for (const name of group.elements) {
      const el = u.getElement(name);
      const keys = el instanceof Dimension ? el.alternateKeys : [];
      if (
        el.metadata.some((m) => m.name === a) ||
        keys.some((k) => k.name === a) ||
        (a === 'region' && el.isSpatial && el.hasTable) ||
        (a === 'timespan' && el.isTemporal)
      ) {
        candidates.push(name);
      }
    }
    if (candidates.length === 1) return { kind: 'field', element: candidates[0]!, field: a };
    if (candidates.length > 1) {
      throw new InvalidQueryError(`Ambiguous identifier '${a}': it is a field of ${candidates.map((c) => `'${c}'`).join(', ')}.`, {
        hint: `Qualify it, e.g. '${candidates[0]}.${a}'.`,
      });
    }
    // Not in the group: a unique field anywhere in the universe brings its element in.
    const anywhere = u.elements.filter((el) => el.metadata.some((m) => m.name === a) || (el instanceof Dimension && el.alternateKeys.some((k) => k.name === a)));
    if (anywhere.length === 1) return { kind: 'field', element: anywhere[0]!.name, field: a };
    if (anywhere.length > 1) {
      throw new InvalidQueryError(`Ambiguous identifier '${a}': it is a field of ${anywhere.map((c) => `'${c.name}'`).join(', ')}.`, {
        hint: `Qualify it, e.g. '${anywhere[0]!.name}.${a}'.`,
      });
    }
    const known = [...u.dimensions.map((d) => d.name), ...u.elements.flatMap((e) => e.metadata.map((m) => m.name))];
    throw new InvalidQueryError(`Unrecognized identifier '${a}'.`, { hint: suggest(a, known) });
  }

  #identifiers(node: Node | undefined, out: string[] = []): string[] {
    if (node === undefined) return out;
    if (node instanceof Identifier) out.push(node.name);
    else if (node instanceof GlobNode) {
      out.push(...this.#identifiers(node.expression), ...this.#identifiers(node.pattern));
    } else for (const c of node.children) this.#identifiers(c, out);
    return out;
  }

  // ------------------------------------------------------------ planning

  /** Builds the SQL. */
  compile(): CompiledQuery {
    const u = this.#universe;
    const spec = this.#spec;
    const bind = spec.bind ?? {};
    // 1. The dimensions the query needs.
    const names = new Set<string>(spec.dimensions.names);
    if (spec.dataId) for (const d of spec.dataId.dimensions.names) names.add(d);
    if (spec.search) for (const d of spec.search.record.datasetType.dimensions.names) names.add(d);
    for (const c of spec.constraints ?? []) for (const d of c.record.datasetType.dimensions.names) names.add(d);
    if (spec.recordsOf) for (const d of spec.recordsOf.required) names.add(d);
    const neededElements = new Set<string>();
    if (spec.recordsOf?.hasTable) neededElements.add(spec.recordsOf.name);
    const idents = [...this.#identifiers(this.#tree), ...(spec.orderBy ?? []).map((o) => o.replace(/^-/, ''))].filter(
      (n) => !(n in bind),
    );
    let group = u.conform(names);
    for (let pass = 0; pass < 3; pass++) {
      for (const name of idents) {
        const c = this.#classify(name, group);
        if (c.kind === 'dim') names.add(c.dim);
        else if (c.kind === 'field') {
          for (const d of u.getElement(c.element).required) names.add(d);
          neededElements.add(c.element);
        }
      }
      group = u.conform(names);
    }
    this.#group = group;

    // 2. Sources: the dataset search table provides the dataset type's required dimensions.
    if (spec.search) {
      const s = spec.search;
      const alias = 'ds';
      this.#searchAlias = alias;
      const provides = new Map<string, string>();
      for (const d of s.record.datasetType.dimensions.required) provides.set(d, `${alias}.${q(d)}`);
      const table = s.calibs ? s.record.calibs : s.record.tags;
      if (table === null) throw new InvalidQueryError(`Dataset type '${s.record.datasetType.name}' has no calibration table.`);
      this.#tables.push({ alias, from: `${q(table)} ${alias}`, provides });
      this.#joinConds.push(`${alias}.dataset_type_id = ?`);
      this.#joinParams.push(s.record.id);
      const ids = s.collections.filter((c) => (c.type === CollectionType.CALIBRATION) === (s.calibs ?? false)).map((c) => c.id);
      if (ids.length === 0) this.#joinConds.push('1 = 0');
      else {
        this.#joinConds.push(`${alias}.collection_id IN (${ids.map(() => '?').join(', ')})`);
        this.#joinParams.push(...ids);
      }
      for (const d of s.record.datasetType.dimensions.required) if (!this.#canonical.has(d)) this.#canonical.set(d, `${alias}.${q(d)}`);
    }

    // 3. Element tables: required dimensions not provided by a source, needed elements,
    //    always-join elements, spatial-join elements; then implied-value providers.
    const join = new Set<string>();
    for (const d of group.required) {
      const el = u.getElement(d);
      if (!this.#canonical.has(d) && (el.hasTable || el.viewOf !== undefined)) join.add(d);
    }
    for (const e of neededElements) {
      const el = u.getElement(e);
      if (el.hasTable || el.viewOf !== undefined) join.add(e);
    }
    for (const name of group.elements) if (u.getElement(name).alwaysJoin) join.add(name);
    const spatialAll = [...group.spatial.values()];
    const spatialTables = spatialAll.filter((e) => e.hasTable).slice(0, 2);
    const skypixDims = spatialAll.filter((e): e is SkyPixDimension => e instanceof SkyPixDimension);
    const needsSpatialJoin = spatialTables.length >= 2 || (spatialTables.length >= 1 && skypixDims.length > 0);
    if (needsSpatialJoin) for (const e of spatialTables) join.add(e.name);
    for (let changed = true; changed; ) {
      changed = false;
      for (const imp of group.implied) {
        const providers = [...join].map((j) => u.getElement(j)).filter((el) => el.implies.includes(imp) || el.name === imp);
        if (providers.length > 0) continue;
        const implier = group.names.map((n) => u.getElement(n)).find((el) => el.implies.includes(imp) && (el.hasTable || el.viewOf));
        if (implier) {
          join.add(implier.name);
          changed = true;
        } else if (!join.has(imp)) {
          join.add(imp);
          changed = true;
        }
      }
    }
    for (const name of u.sortNames(join)) this.#addElementTable(u.getElement(name));

    // 4. Spatial joins through the skypix overlap tables, with exact tests afterwards.
    const commonLevel = u.commonSkyPix;
    for (const p of skypixDims) {
      if (p.name !== commonLevel.name) {
        throw new InvalidQueryError(`Only the common sky pixelization '${commonLevel.name}' can be joined to regions; got '${p.name}'.`);
      }
    }
    if (needsSpatialJoin && skypixDims.length === 0 && this.#dialect === 'postgresql') {
      // Two spatial elements on PostgreSQL: a semi-join through their index rows (EXISTS), so
      // that the many shared pixels of two large regions do not multiply the rows before
      // DISTINCT (10,000 3.5-degree visits against one tract: 549 ms as a join, 49 ms as a
      // semi-join). SQLite runs EXISTS once per outer row, and there the plain join is
      // faster (78 ms against 149 ms), so it keeps the join below.
      const [a, b] = spatialTables as [DimensionElement, DimensionElement];
      const oa = this.#alias('ov');
      const ob = this.#alias('ov');
      const conds = [
        ...a.required.map((d) => `${oa}.${q(d)} = ${this.#dim(d)}`),
        ...b.required.map((d) => `${ob}.${q(d)} = ${this.#dim(d)}`),
        `${oa}.skypix_system = ?`,
        `${oa}.skypix_level = ?`,
        `${ob}.skypix_system = ${oa}.skypix_system`,
        `${ob}.skypix_level = ${oa}.skypix_level`,
        `${ob}.skypix_index = ${oa}.skypix_index`,
      ];
      this.#joinConds.push(
        `EXISTS (SELECT 1 FROM ${q(`${a.name}_skypix_overlap`)} ${oa}, ${q(`${b.name}_skypix_overlap`)} ${ob} WHERE ${conds.join(' AND ')})`,
      );
      this.#joinParams.push(commonLevel.system, commonLevel.level);
      this.#postFilters.push({ a: this.#hideRegion(a), b: this.#hideRegion(b) });
    } else if (needsSpatialJoin) {
      const overlaps = spatialTables.map((e) => {
        const o = this.#alias('ov');
        this.#tables.push({ alias: o, from: `${q(`${e.name}_skypix_overlap`)} ${o}`, provides: new Map() });
        for (const d of e.required) this.#joinConds.push(`${o}.${q(d)} = ${this.#dim(d)}`);
        this.#joinConds.push(`${o}.skypix_system = ?`, `${o}.skypix_level = ?`);
        this.#joinParams.push(commonLevel.system, commonLevel.level);
        return o;
      });
      if (overlaps.length === 2) this.#joinConds.push(`${overlaps[0]}.skypix_index = ${overlaps[1]}.skypix_index`);
      for (const p of skypixDims) {
        const canon = this.#canonical.get(p.name);
        if (canon === undefined) this.#canonical.set(p.name, `${overlaps[0]}.skypix_index`);
        else this.#joinConds.push(`${overlaps[0]}.skypix_index = ${canon}`);
      }
      const regions = [...spatialTables, ...skypixDims];
      for (let i = 0; i < regions.length; i++) {
        for (let j = i + 1; j < regions.length; j++) this.#postFilters.push({ a: this.#hideRegion(regions[i]!), b: this.#hideRegion(regions[j]!) });
      }
    } else if (skypixDims.length > 0) {
      for (const p of skypixDims) {
        if (!this.#canonical.has(p.name)) {
          throw new InvalidQueryError(`A query on '${p.name}' needs a spatial dimension (visit, tract, ...) or a dataset with '${p.name}' in its dimensions.`);
        }
      }
    }

    // 5. Data ID constraints.
    const whereParts: string[] = [];
    const whereParams: SqlValue[] = [];
    if (spec.dataId) {
      for (const [d, v] of Object.entries(spec.dataId.mapping)) {
        if (u.getElement(d) instanceof Dimension && (u.getElement(d) as Dimension).isGovernor) this.#noteGovernor(d, String(v));
        if (!group.has(d)) continue;
        whereParts.push(`${this.#dim(d)} = ${this.#param(typeof v === 'number' ? 'int' : 'string')}`);
        whereParams.push(v);
      }
    }
    // 6. Dataset existence constraints.
    for (const c of spec.constraints ?? []) {
      const cond = this.#existsDataset(c);
      whereParts.push(cond.sql);
      whereParams.push(...cond.params);
    }
    // 7. The where expression.
    if (this.#tree) {
      const compiled = this.#compileTop(this.#tree, bind);
      if (compiled) {
        whereParts.push(compiled.sql);
        whereParams.push(...compiled.params);
      }
    }

    // 8. SELECT list.
    const outDims = spec.recordsOf ? u.conform(spec.recordsOf.required) : spec.dimensions;
    const dimensionColumns = new Map<string, string>();
    const selects: string[] = [];
    const selectNames = spec.search ? group.names.filter((n) => spec.dimensions.has(n)) : outDims.names;
    for (const d of selectNames) {
      const alias = `d_${d}`;
      dimensionColumns.set(d, alias);
      selects.push(`${this.#dim(d)} AS ${q(alias)}`);
    }
    if (spec.recordsOf?.hasTable) {
      const a = this.#elementAlias.get(spec.recordsOf.name)!;
      selects.push(`${a}.*`);
    } else if (spec.recordsOf && spec.recordsOf.viewOf) {
      // band: the value is the record
    }
    if (spec.search) {
      const a = this.#searchAlias!;
      this.#tables.push({ alias: 'dsd', from: 'dataset dsd', provides: new Map() });
      this.#tables.push({ alias: 'dsr', from: 'collection dsr', provides: new Map() });
      this.#joinConds.push(`dsd.id = ${a}.dataset_id`, 'dsr.collection_id = dsd.run_id');
      selects.push(`${a}.dataset_id AS ${q('ds_id')}`, `${a}.collection_id AS ${q('ds_collection')}`, `dsr.name AS ${q('ds_run')}`);
      if (spec.search.calibs) selects.push(`${a}.timespan_begin AS ${q('ds_tb')}`, `${a}.timespan_end AS ${q('ds_te')}`);
    }
    // 9. ORDER BY.
    const orderTerms: string[] = [];
    for (const [i, term] of (spec.orderBy ?? []).entries()) {
      const desc = term.startsWith('-');
      const name = desc ? term.slice(1) : term;
      const col = this.#orderColumn(name);
      const alias = `o_${i}`;
      selects.push(`${col} AS ${q(alias)}`);
      orderTerms.push(`${q(alias)}${desc ? ' DESC' : ''}`);
    }
    for (const h of this.#hidden) selects.push(h);
    // Keys of the elements whose regions the exact test needs; the regions themselves are
    // joined by primary key outside the DISTINCT, so that it never compares region blobs.
    const keyAliases = new Set<string>();
    for (const el of this.#hiddenRegions) {
      for (const d of el.required) {
        if (keyAliases.has(d)) continue;
        keyAliases.add(d);
        selects.push(`${this.#dim(d)} AS ${q(`k_${d}`)}`);
      }
    }

    const from = this.#tables.map((t) => t.from).join(', ');
    const conds = [...this.#joinConds, ...whereParts];
    let sql = `SELECT DISTINCT ${selects.join(', ')} FROM ${from}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''}`;
    if (this.#hiddenRegions.length > 0) {
      const outerCols = ['qq.*'];
      const joins: string[] = [];
      this.#hiddenRegions.forEach((el, i) => {
        const a = `rg${i}`;
        outerCols.push(`${a}.region AS ${q(`h_${el.name}_region`)}`);
        joins.push(`JOIN ${q(el.name)} ${a} ON ${el.required.map((d) => `${a}.${q(columnOfDimension(el, d))} = qq.${q(`k_${d}`)}`).join(' AND ')}`);
      });
      sql = `SELECT ${outerCols.join(', ')} FROM (${sql}) qq ${joins.join(' ')}`;
    }
    return {
      select: sql,
      params: [...this.#joinParams, ...whereParams],
      orderBy: orderTerms.length ? ` ORDER BY ${orderTerms.join(', ')}` : '',
      dimensionColumns,
      group,
      postFilters: this.#postFilters,
      needsDedupe: this.#hidden.length > 0 || this.#hiddenRegions.length > 0,
      governorValues: this.#governorValues,
    };
  }

  #noteGovernor(dim: string, value: string): void {
    const set = this.#governorValues.get(dim) ?? new Set<string>();
    set.add(value);
    this.#governorValues.set(dim, set);
  }

  #alias(prefix: string): string {
    return `${prefix}${this.#aliasCounter++}`;
  }

  #addElementTable(el: DimensionElement): void {
    if (this.#elementAlias.has(el.name)) return;
    const alias = this.#alias('t');
    const u = this.#universe;
    let from: string;
    const provides = new Map<string, string>();
    if (el.hasTable) {
      from = `${q(el.name)} ${alias}`;
      for (const d of el.required) provides.set(d, `${alias}.${q(columnOfDimension(el, d))}`);
      for (const imp of el.implies) if (this.#group.has(imp)) provides.set(imp, `${alias}.${q(imp)}`);
    } else if (el.viewOf !== undefined) {
      const src = u.getElement(el.viewOf);
      const key = (el as Dimension).primaryKey.name;
      from = `(SELECT DISTINCT ${q(el.name)} AS ${q(key)} FROM ${q(src.name)}) ${alias}`;
      provides.set(el.name, `${alias}.${q(key)}`);
    } else {
      throw new InvalidQueryError(`Queries on '${el.name}' values need a table or a dataset that provides them (sky pixelization dimensions are not stored).`);
    }
    this.#elementAlias.set(el.name, alias);
    this.#tables.push({ alias, from, provides });
    for (const [d, col] of provides) {
      const canon = this.#canonical.get(d);
      if (canon === undefined) this.#canonical.set(d, col);
      else this.#joinConds.push(`${col} = ${canon}`);
    }
  }

  #dim(d: string): string {
    const c = this.#canonical.get(d);
    if (c === undefined) {
      const el = this.#universe.getElement(d);
      this.#addElementTable(el);
      return this.#canonical.get(d)!;
    }
    return c;
  }

  #elementAliasFor(name: string): string {
    const el = this.#universe.getElement(name);
    if (!this.#elementAlias.has(name)) this.#addElementTable(el);
    return this.#elementAlias.get(name)!;
  }

  #hideRegion(el: DimensionElement): string {
    if (el instanceof SkyPixDimension) {
      const alias = `hp_${el.level}_${el.name}`;
      const expr = `${this.#dim(el.name)} AS ${q(alias)}`;
      if (!this.#hidden.includes(expr)) this.#hidden.push(expr);
      return alias;
    }
    if (!this.#hiddenRegions.includes(el)) this.#hiddenRegions.push(el);
    return `h_${el.name}_region`;
  }

  #param(type: VType): string {
    if (this.#dialect !== 'postgresql') return '?';
    switch (type) {
      case 'int':
      case 'time':
        return 'CAST(? AS BIGINT)';
      case 'float':
        return 'CAST(? AS DOUBLE PRECISION)';
      case 'string':
        return 'CAST(? AS TEXT)';
      case 'uuid':
        return 'CAST(? AS UUID)';
      case 'bool':
        return 'CAST(? AS BOOLEAN)';
      default:
        return '?';
    }
  }

  #existsDataset(c: DatasetSearch): Cond {
    const rec = c.record;
    const parts: string[] = [];
    const params: SqlValue[] = [];
    const tagIds = c.collections.filter((x) => x.type !== CollectionType.CALIBRATION).map((x) => x.id);
    const calIds = c.collections.filter((x) => x.type === CollectionType.CALIBRATION).map((x) => x.id);
    const dims = rec.datasetType.dimensions.required;
    const sub = (table: string, ids: number[]): void => {
      const a = this.#alias('x');
      parts.push(
        `EXISTS (SELECT 1 FROM ${q(table)} ${a} WHERE ${a}.dataset_type_id = ? AND ${a}.collection_id IN (${ids.map(() => '?').join(', ')})${dims.map((d) => ` AND ${a}.${q(d)} = ${this.#dim(d)}`).join('')})`,
      );
      params.push(rec.id, ...ids);
    };
    if (tagIds.length) sub(rec.tags, tagIds);
    if (calIds.length && rec.calibs) sub(rec.calibs, calIds);
    if (parts.length === 0) return { k: 'cond', sql: '1 = 0', params: [] };
    return { k: 'cond', sql: `(${parts.join(' OR ')})`, params };
  }

  #orderColumn(name: string): string {
    const c = this.#classify(name, this.#group);
    if (c.kind === 'dim') return this.#dim(c.dim);
    if (c.kind === 'field') {
      const a = this.#elementAliasFor(c.element);
      if (c.field === 'timespan') return `${a}.timespan_${c.sub ?? 'begin'}`;
      if (c.field === 'region') throw new InvalidQueryError(`Cannot order by a region ('${name}').`);
      return `${a}.${q(c.field)}`;
    }
    if (c.kind === 'dataset') {
      if (c.field === 'ingest_date') return 'dsd.ingest_date';
      if (c.field === 'run') return 'dsr.name';
      if (c.field === 'dataset_id') return `${this.#searchAlias}.dataset_id`;
    }
    throw new InvalidQueryError(`Cannot order by '${name}'.`);
  }

  // ------------------------------------------------------------ where compilation

  /** Compiles the top level: a conjunction whose region terms become index + post-filter. */
  #compileTop(tree: Node, bind: BindValues): Cond | undefined {
    const terms: Node[] = [];
    const flatten = (n: Node): void => {
      const s = stripAll(n);
      if (s instanceof BinaryOp && s.op.toUpperCase() === 'AND') {
        flatten(s.lhs);
        flatten(s.rhs);
      } else terms.push(s);
    };
    flatten(tree);
    const sqls: string[] = [];
    const params: SqlValue[] = [];
    for (const t of terms) {
      const c = this.#asCond(this.#compile(t, bind, true), t);
      sqls.push(c.sql);
      params.push(...c.params);
    }
    return sqls.length ? { k: 'cond', sql: sqls.map((s) => `(${s})`).join(' AND '), params } : undefined;
  }

  #asCond(c: Compiled, node: Node): Cond {
    if (c.k === 'cond') return c;
    if (c.k === 'scalar' && c.type === 'bool') return { k: 'cond', sql: this.#dialect === 'sqlite' ? `${c.sql} = 1` : c.sql, params: c.params };
    throw new InvalidQueryError(`Expression '${node.toString()}' is not a condition (it is a ${c.k === 'scalar' ? c.type : c.k} value).`);
  }

  #scalar(c: Compiled, node: Node): Scalar {
    if (c.k === 'scalar') return c;
    throw new InvalidQueryError(`Expression '${node.toString()}' must be a single value here.`);
  }

  #compile(node: Node, bind: BindValues, topLevel = false): Compiled {
    if (node instanceof Parens) return this.#compile(node.expr, bind, topLevel);
    if (node instanceof NumericLiteral) {
      const isInt = /^[-+]?\d+$/.test(node.value);
      const v = isInt ? Number(node.value) : Number(node.value);
      return { k: 'scalar', sql: this.#param(isInt ? 'int' : 'float'), params: [v], type: isInt ? 'int' : 'float', label: node.value };
    }
    if (node instanceof StringLiteral) return { k: 'scalar', sql: this.#param('string'), params: [node.value], type: 'string', label: `'${node.value}'` };
    if (node instanceof TimeLiteral) return { k: 'scalar', sql: this.#param('time'), params: [node.value.taiNs], type: 'time', label: node.toString() };
    if (node instanceof UuidLiteral) return { k: 'scalar', sql: this.#param('uuid'), params: [node.value], type: 'uuid', label: node.toString() };
    if (node instanceof RangeLiteral) throw new InvalidQueryError(`A range (${node.toString()}) is only allowed inside IN (...).`);
    if (node instanceof BindName) return this.#bindValue(node.name, bind);
    if (node instanceof Identifier) {
      if (node.name in bind) return this.#bindValue(node.name, bind);
      return this.#identifier(node.name);
    }
    if (node instanceof UnaryOp) {
      const op = node.op.toUpperCase();
      const inner = this.#compile(node.operand, bind);
      if (op === 'NOT') {
        const c = this.#asCond(inner, node.operand);
        return { k: 'cond', sql: `NOT (${c.sql})`, params: c.params };
      }
      const s = this.#scalar(inner, node.operand);
      if (!isNumeric(s.type)) throw new InvalidQueryError(`Unary '${op}' needs a number; '${node.operand.toString()}' is ${s.type}.`);
      return { ...s, sql: op === '-' ? `(-${s.sql})` : s.sql, label: node.toString() };
    }
    if (node instanceof BinaryOp) return this.#binary(node, bind, topLevel);
    if (node instanceof IsIn) return this.#isIn(node, bind);
    if (node instanceof TupleNode) {
      const a = this.#scalar(this.#compile(node.items[0], bind), node.items[0]);
      const b = this.#scalar(this.#compile(node.items[1], bind), node.items[1]);
      if (a.type !== 'time' || b.type !== 'time') throw new InvalidQueryError(`A pair '${node.toString()}' must hold two times (a timespan).`);
      return { k: 'span', begin: a, end: b, label: node.toString() };
    }
    if (node instanceof GlobNode) return this.#glob(node, bind);
    if (node instanceof PointNode || node instanceof CircleNode || node instanceof BoxNode || node instanceof PolygonNode || node instanceof RegionNode) {
      return this.#regionLiteral(node, bind);
    }
    if (node instanceof FunctionCall) {
      throw new InvalidQueryError(`Unknown function '${node.name}' in '${node.toString()}'.`, {
        hint: 'Known functions: POINT, CIRCLE, BOX, POLYGON, REGION, GLOB, UUID.',
      });
    }
    throw new InvalidQueryError(`Unsupported expression '${node.toString()}'.`);
  }

  #bindValue(name: string, bind: BindValues): Compiled {
    if (!(name in bind)) {
      throw new InvalidQueryError(`No value bound for ':${name}'.`, { hint: `Pass bind: { ${name}: ... }.`.replace('{ ', '{ ') });
    }
    const v = bind[name];
    const label = `:${name}`;
    if (Array.isArray(v) || v instanceof Set) {
      const items = [...(v as Iterable<unknown>)].map((x) => this.#bindScalar(x, label));
      return { k: 'list', items };
    }
    if (v instanceof Timespan) {
      return {
        k: 'span',
        begin: { k: 'scalar', sql: this.#param('time'), params: [v.beginNs], type: 'time', label },
        end: { k: 'scalar', sql: this.#param('time'), params: [v.endNs], type: 'time', label },
        label,
      };
    }
    if (v instanceof Region) return { k: 'regionlit', region: v, label };
    if (v instanceof LonLat) {
      const p = UnitVector3d.fromLonLat(v);
      return { k: 'regionlit', region: new Circle(p, Angle.ZERO), point: p, label };
    }
    return this.#bindScalar(v, label);
  }

  #bindScalar(v: unknown, label: string): Scalar {
    if (typeof v === 'number') {
      const t: VType = Number.isInteger(v) ? 'int' : 'float';
      return { k: 'scalar', sql: this.#param(t), params: [v], type: t, label };
    }
    if (typeof v === 'bigint') return { k: 'scalar', sql: this.#param('int'), params: [v], type: 'int', label };
    if (typeof v === 'string') {
      const u = normalizeUuid(v);
      if (u !== undefined && v.length >= 32) return { k: 'scalar', sql: this.#param('uuid'), params: [u], type: 'uuid', label };
      return { k: 'scalar', sql: this.#param('string'), params: [v], type: 'string', label };
    }
    if (typeof v === 'boolean') return { k: 'scalar', sql: this.#param('bool'), params: [v], type: 'bool', label };
    if (v instanceof Date) {
      const ns = taiNsFromDate(v);
      return { k: 'scalar', sql: this.#param('time'), params: [ns], type: 'time', label };
    }
    throw new InvalidQueryError(`Bound value ${label} has an unsupported type (${v === null ? 'null' : typeof v}).`, {
      hint: 'Bind numbers, strings, booleans, Dates, Timespans, Regions, or arrays of scalars (inside IN (...)).',
    });
  }

  #identifier(name: string): Compiled {
    const c = this.#classify(name, this.#group);
    if (c.kind === 'null') return { k: 'scalar', sql: 'NULL', params: [], type: 'null', label: 'NULL' };
    if (c.kind === 'dim') {
      const dim = this.#universe.getDimension(c.dim);
      return { k: 'scalar', sql: this.#dim(c.dim), params: [], type: fieldType(dim.primaryKey), label: c.dim };
    }
    if (c.kind === 'field') {
      const el = this.#universe.getElement(c.element);
      if (c.field === 'region') return { k: 'regioncol', element: el };
      const a = this.#elementAliasFor(c.element);
      if (c.field === 'timespan') {
        const begin: Scalar = { k: 'scalar', sql: `${a}.timespan_begin`, params: [], type: 'time', label: `${c.element}.timespan.begin` };
        const end: Scalar = { k: 'scalar', sql: `${a}.timespan_end`, params: [], type: 'time', label: `${c.element}.timespan.end` };
        if (c.sub === 'begin') return begin;
        if (c.sub === 'end') return end;
        return { k: 'span', begin, end, label: `${c.element}.timespan` };
      }
      const spec = (el instanceof Dimension ? el.keys : []).find((k) => k.name === c.field) ?? el.metadata.find((m) => m.name === c.field)!;
      return { k: 'scalar', sql: `${a}.${q(c.field)}`, params: [], type: fieldType(spec), label: name };
    }
    // dataset fields
    const sa = this.#searchAlias!;
    switch (c.field) {
      case 'dataset_id':
        return { k: 'scalar', sql: `${sa}.dataset_id`, params: [], type: 'uuid', label: name };
      case 'ingest_date':
        return { k: 'scalar', sql: '(SELECT ingest_date FROM dataset WHERE id = ' + `${sa}.dataset_id)`, params: [], type: 'time', label: name };
      case 'run':
        return { k: 'scalar', sql: `(SELECT c.name FROM dataset dd JOIN collection c ON c.collection_id = dd.run_id WHERE dd.id = ${sa}.dataset_id)`, params: [], type: 'string', label: name };
      case 'collection':
        return { k: 'scalar', sql: `(SELECT c.name FROM collection c WHERE c.collection_id = ${sa}.collection_id)`, params: [], type: 'string', label: name };
      default: {
        if (!this.#spec.search?.calibs) {
          throw new InvalidQueryError(`Dataset field '${name}' is only available when searching CALIBRATION collections.`);
        }
        const begin: Scalar = { k: 'scalar', sql: `${sa}.timespan_begin`, params: [], type: 'time', label: `${name}.begin` };
        const end: Scalar = { k: 'scalar', sql: `${sa}.timespan_end`, params: [], type: 'time', label: `${name}.end` };
        if (c.sub === 'begin') return begin;
        if (c.sub === 'end') return end;
        return { k: 'span', begin, end, label: name };
      }
    }
  }

  #checkComparable(a: Scalar, b: Scalar, op: string): void {
    if (a.type === 'null' || b.type === 'null') return;
    if (isNumeric(a.type) && isNumeric(b.type)) return;
    if (a.type === b.type) return;
    if ((a.type === 'uuid' && b.type === 'string') || (a.type === 'string' && b.type === 'uuid')) return;
    throw new InvalidQueryError(`Cannot compare ${a.label} (${a.type}) ${op} ${b.label} (${b.type}).`, {
      hint: a.type === 'string' || b.type === 'string' ? "Strings need single quotes ('i'); numbers none." : undefined,
    });
  }

  #binary(node: BinaryOp, bind: BindValues, topLevel: boolean): Compiled {
    const op = node.op.toUpperCase();
    if (op === 'AND' || op === 'OR') {
      const a = this.#asCond(this.#compile(node.lhs, bind), node.lhs);
      const b = this.#asCond(this.#compile(node.rhs, bind), node.rhs);
      return { k: 'cond', sql: `(${a.sql}) ${op} (${b.sql})`, params: [...a.params, ...b.params] };
    }
    const lhs = this.#compile(node.lhs, bind);
    const rhs = this.#compile(node.rhs, bind);
    if (op === 'OVERLAPS') return this.#overlaps(lhs, rhs, node, topLevel);
    if (['+', '-', '*', '/', '%'].includes(op)) {
      const a = this.#scalar(lhs, node.lhs);
      const b = this.#scalar(rhs, node.rhs);
      if (!isNumeric(a.type) || !isNumeric(b.type)) throw new InvalidQueryError(`Arithmetic '${node.toString()}' needs numbers.`);
      return { k: 'scalar', sql: `(${a.sql} ${op} ${b.sql})`, params: [...a.params, ...b.params], type: a.type === 'float' || b.type === 'float' || op === '/' ? 'float' : 'int', label: node.toString() };
    }
    // Comparisons.
    const sqlOp = op === '=' ? '=' : op;
    if (lhs.k === 'span' || rhs.k === 'span') return this.#compareSpan(lhs, rhs, sqlOp, node);
    const a = this.#scalar(lhs, node.lhs);
    const b = this.#scalar(rhs, node.rhs);
    if (a.type === 'null' || b.type === 'null') {
      const other = a.type === 'null' ? b : a;
      if (sqlOp === '=') return { k: 'cond', sql: `${other.sql} IS NULL`, params: other.params };
      if (sqlOp === '!=') return { k: 'cond', sql: `${other.sql} IS NOT NULL`, params: other.params };
      throw new InvalidQueryError(`NULL can only be compared with = or != ('${node.toString()}').`);
    }
    this.#checkComparable(a, b, sqlOp);
    if (sqlOp === '=' && topLevel) {
      for (const [x, y] of [[a, b], [b, a]] as const) {
        const dim = this.#universe.has(x.label) ? this.#universe.getElement(x.label) : undefined;
        if (dim instanceof Dimension && dim.isGovernor && x.params.length === 0 && y.params.length === 1 && typeof y.params[0] === 'string') {
          this.#noteGovernor(dim.name, y.params[0]);
        }
      }
    }
    const sqlOperator = sqlOp === '!=' ? '<>' : sqlOp;
    return { k: 'cond', sql: `${a.sql} ${sqlOperator} ${b.sql}`, params: [...a.params, ...b.params] };
  }

  #compareSpan(lhs: Compiled, rhs: Compiled, op: string, node: BinaryOp): Cond {
    // timespan < time: entirely before; timespan > time: entirely after; (and mirrored).
    const span = lhs.k === 'span' ? lhs : (rhs as Span);
    const other = lhs.k === 'span' ? rhs : lhs;
    const flipped = lhs.k !== 'span';
    if (other.k === 'scalar' && other.type === 'time') {
      let o = op;
      if (flipped) o = op === '<' ? '>' : op === '>' ? '<' : op === '<=' ? '>=' : op === '>=' ? '<=' : op;
      if (o === '<' || o === '<=') return { k: 'cond', sql: `${span.end.sql} <= ${other.sql}`, params: [...span.end.params, ...other.params] };
      if (o === '>' || o === '>=') return { k: 'cond', sql: `${span.begin.sql} > ${other.sql}`, params: [...span.begin.params, ...other.params] };
    }
    if (other.k === 'span' && (op === '=' || op === '!=')) {
      const sql = `${span.begin.sql} = ${other.begin.sql} AND ${span.end.sql} = ${other.end.sql}`;
      const params = [...span.begin.params, ...other.begin.params, ...span.end.params, ...other.end.params];
      return { k: 'cond', sql: op === '=' ? sql : `NOT (${sql})`, params };
    }
    throw new InvalidQueryError(`Cannot compare '${node.toString()}': timespans compare with times (<, >) or timespans (=, !=).`);
  }

  #overlaps(lhs: Compiled, rhs: Compiled, node: BinaryOp, topLevel: boolean): Cond {
    const asSpan = (c: Compiled, n: Node): Span => {
      if (c.k === 'span') return c;
      if (c.k === 'scalar' && c.type === 'time') {
        // An instant [t, t+1).
        return { k: 'span', begin: c, end: { ...c, sql: `(${c.sql} + 1)` }, label: c.label };
      }
      throw new InvalidQueryError(`OVERLAPS needs two timespans or two regions; '${n.toString()}' is neither.`);
    };
    const isRegion = (c: Compiled) => c.k === 'regioncol' || c.k === 'regionlit';
    if (isRegion(lhs) || isRegion(rhs)) {
      if (!(isRegion(lhs) && isRegion(rhs))) {
        throw new InvalidQueryError(`OVERLAPS between a region and a non-region in '${node.toString()}'.`);
      }
      const col = lhs.k === 'regioncol' ? lhs : rhs.k === 'regioncol' ? rhs : undefined;
      const lit = lhs.k === 'regionlit' ? lhs : rhs.k === 'regionlit' ? rhs : undefined;
      if (lhs.k === 'regioncol' && rhs.k === 'regioncol') {
        if (!topLevel) {
          throw new InvalidQueryError(`'${node.toString()}': a region OVERLAPS test must be a top-level AND term of the where expression (not under OR or NOT).`);
        }
        const pair = [this.#hideRegion(lhs.element), this.#hideRegion(rhs.element)].sort();
        if (!this.#postFilters.some((f) => typeof f.b === 'string' && [f.a, f.b].sort().join() === pair.join())) {
          this.#postFilters.push({ a: pair[0]!, b: pair[1]! });
        }
        return { k: 'cond', sql: '1 = 1', params: [] };
      }
      if (col === undefined || lit === undefined) {
        throw new InvalidQueryError(`'${node.toString()}': OVERLAPS needs a region column (e.g. visit.region) on at least one side.`);
      }
      if (!topLevel) {
        throw new InvalidQueryError(`'${node.toString()}': a region OVERLAPS test must be a top-level AND term of the where expression (not under OR or NOT).`);
      }
      return this.#spatialConstraint(col.element, lit);
    }
    const a = asSpan(lhs, node.lhs);
    const b = asSpan(rhs, node.rhs);
    return {
      k: 'cond',
      sql: `${a.begin.sql} < ${b.end.sql} AND ${b.begin.sql} < ${a.end.sql}`,
      params: [...a.begin.params, ...b.end.params, ...b.begin.params, ...a.end.params],
    };
  }

  #spatialConstraint(el: DimensionElement, lit: RegionLit): Cond {
    const level = this.#universe.commonSkyPix.level;
    const ranges = skypixRanges(lit.region, level);
    const o = this.#alias('sp');
    const params: SqlValue[] = ['htm', level];
    const rangeSql = ranges.map(([a, b]) => {
      params.push(a, b);
      return `(${o}.skypix_index >= ? AND ${o}.skypix_index < ?)`;
    });
    const keyConds = el.required.map((d) => `${o}.${q(d)} = ${this.#dim(d)}`);
    const sql = `EXISTS (SELECT 1 FROM ${q(`${el.name}_skypix_overlap`)} ${o} WHERE ${o}.skypix_system = ? AND ${o}.skypix_level = ?${keyConds.map((k) => ` AND ${k}`).join('')} AND (${rangeSql.length ? rangeSql.join(' OR ') : '1 = 0'}))`;
    this.#postFilters.push({ a: this.#hideRegion(el), b: lit });
    return { k: 'cond', sql, params };
  }

  #isIn(node: IsIn, bind: BindValues): Cond {
    const lhsC = this.#compile(node.lhs, bind);
    const wrap = (c: Cond): Cond => (node.notIn ? { k: 'cond', sql: `NOT (${c.sql})`, params: c.params } : c);
    // Time containment: x IN (t1, t2) with a time or timespan on the left.
    const timeish = lhsC.k === 'span' || (lhsC.k === 'scalar' && lhsC.type === 'time');
    if (timeish) {
      const vals = node.values.map((v) => this.#compile(v, bind));
      let range: Span | undefined;
      if (vals.length === 2 && vals.every((v) => v.k === 'scalar' && v.type === 'time')) {
        range = { k: 'span', begin: vals[0] as Scalar, end: vals[1] as Scalar, label: node.toString() };
      } else if (vals.length === 1 && vals[0]!.k === 'span') range = vals[0] as Span;
      if (range) {
        if (lhsC.k === 'span') {
          return wrap({ k: 'cond', sql: `${range.begin.sql} <= ${lhsC.begin.sql} AND ${lhsC.end.sql} <= ${range.end.sql}`, params: [...range.begin.params, ...lhsC.begin.params, ...lhsC.end.params, ...range.end.params] });
        }
        return wrap({ k: 'cond', sql: `${range.begin.sql} <= ${lhsC.sql} AND ${lhsC.sql} < ${range.end.sql}`, params: [...range.begin.params, ...lhsC.params, ...lhsC.params, ...range.end.params] });
      }
    }
    const lhs = this.#scalar(lhsC, node.lhs);
    const singles: Scalar[] = [];
    const ors: Cond[] = [];
    for (const v of node.values) {
      const s = stripAll(v);
      if (s instanceof RangeLiteral) {
        if (lhs.type !== 'int') throw new InvalidQueryError(`Range ${s.toString()} needs an integer on the left of IN; '${node.lhs.toString()}' is ${lhs.type}.`);
        const stride = s.stride ?? 1;
        if (stride === 1) ors.push({ k: 'cond', sql: `${lhs.sql} BETWEEN ? AND ?`, params: [...lhs.params, s.start, s.stop] });
        else ors.push({ k: 'cond', sql: `(${lhs.sql} BETWEEN ? AND ? AND (${lhs.sql} - ?) % ? = 0)`, params: [...lhs.params, s.start, s.stop, ...lhs.params, s.start, stride] });
        continue;
      }
      const c = this.#compile(s, bind);
      if (c.k === 'list') {
        for (const it of c.items) {
          this.#checkComparable(lhs, it, 'IN');
          singles.push(it);
        }
        if (c.items.length === 0 && singles.length === 0) ors.push({ k: 'cond', sql: '1 = 0', params: [] });
        continue;
      }
      const sc = this.#scalar(c, s);
      this.#checkComparable(lhs, sc, 'IN');
      singles.push(sc);
    }
    if (singles.length > 0) {
      ors.unshift({ k: 'cond', sql: `${lhs.sql} IN (${singles.map((x) => x.sql).join(', ')})`, params: [...lhs.params, ...singles.flatMap((x) => x.params)] });
    }
    if (ors.length === 0) return wrap({ k: 'cond', sql: '1 = 0', params: [] });
    return wrap({ k: 'cond', sql: ors.map((o) => `(${o.sql})`).join(' OR '), params: ors.flatMap((o) => o.params) });
  }

  #glob(node: GlobNode, bind: BindValues): Cond {
    const target = this.#scalar(this.#compile(node.expression, bind), node.expression);
    if (target.type !== 'string') throw new InvalidQueryError(`GLOB needs a string field; '${node.expression.toString()}' is ${target.type}.`);
    const pat = this.#scalar(this.#compile(node.pattern, bind), node.pattern);
    if (pat.type !== 'string' || pat.params.length !== 1) throw new InvalidQueryError(`GLOB's pattern must be a string or a bound string.`);
    const glob = String(pat.params[0]);
    if (this.#dialect === 'sqlite') {
      // SQLite's GLOB also knows [..]; escape '[' so that only * and ? are special.
      return { k: 'cond', sql: `${target.sql} GLOB ?`, params: [...target.params, glob.replace(/\[/g, '[[]')] };
    }
    const like = glob.replace(/[\\%_]/g, (m) => `\\${m}`).replace(/\*/g, '%').replace(/\?/g, '_');
    return { k: 'cond', sql: `${target.sql} LIKE ? ESCAPE '\\'`, params: [...target.params, like] };
  }

  #number(node: Node, bind: BindValues): number {
    const s = stripAll(node);
    if (s instanceof NumericLiteral) return Number(s.value);
    if (s instanceof BindName || (s instanceof Identifier && s.name in bind)) {
      const v = bind[s instanceof BindName ? s.name : s.name];
      if (typeof v === 'number') return v;
      throw new InvalidQueryError(`Bound value ${s.toString()} must be a number.`);
    }
    if (s instanceof UnaryOp && s.op === '-') return -this.#number(s.operand, bind);
    if (s instanceof UnaryOp && s.op === '+') return this.#number(s.operand, bind);
    if (s instanceof BinaryOp) {
      const a = this.#number(s.lhs, bind);
      const b = this.#number(s.rhs, bind);
      switch (s.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        case '%':
          return a % b;
      }
    }
    throw new InvalidQueryError(`'${node.toString()}' must be a number (a literal, a bound value, or arithmetic on them).`);
  }

  #regionLiteral(node: PointNode | CircleNode | BoxNode | PolygonNode | RegionNode, bind: BindValues): RegionLit {
    const label = node.toString();
    const lonLat = (ra: number, dec: number): UnitVector3d => {
      if (!(dec >= -90 && dec <= 90)) throw new InvalidQueryError(`Invalid latitude angle: declination ${dec} is outside [-90, 90] in '${label}'.`);
      return UnitVector3d.fromLonLat(LonLat.fromDegrees(ra, dec));
    };
    if (node instanceof PointNode) {
      const p = lonLat(this.#number(node.ra, bind), this.#number(node.dec, bind));
      return { k: 'regionlit', region: new Circle(p, Angle.ZERO), point: p, label };
    }
    if (node instanceof CircleNode) {
      const r = this.#number(node.radius, bind);
      return { k: 'regionlit', region: new Circle(lonLat(this.#number(node.ra, bind), this.#number(node.dec, bind)), Angle.fromDegrees(r)), label };
    }
    if (node instanceof BoxNode) {
      const ra = this.#number(node.ra, bind);
      const dec = this.#number(node.dec, bind);
      const w = this.#number(node.width, bind);
      const h = this.#number(node.height, bind);
      return { k: 'regionlit', region: LonLatBox.fromDegrees(ra - w / 2, Math.max(-90, dec - h / 2), ra + w / 2, Math.min(90, dec + h / 2)), label };
    }
    if (node instanceof PolygonNode) {
      const pts = node.vertices.map(([ra, dec]) => lonLat(this.#number(ra, bind), this.#number(dec, bind)));
      return { k: 'regionlit', region: ConvexPolygon.convexHull(pts), label };
    }
    const posNode = stripAll(node.pos);
    let pos: unknown;
    if (posNode instanceof StringLiteral) pos = posNode.value;
    else if (posNode instanceof BindName) pos = bind[posNode.name];
    if (pos instanceof Region) return { k: 'regionlit', region: pos, label };
    if (typeof pos !== 'string') throw new InvalidQueryError(`REGION needs a string such as 'CIRCLE 10 20 0.5' ('${label}').`);
    return { k: 'regionlit', region: parseSiaPos(pos, lonLat), label };
  }
}

/** Parses an IVOA SIAv2 POS string (CIRCLE ra dec r | RANGE ra1 ra2 dec1 dec2 | POLYGON ra dec ...). */
function parseSiaPos(text: string, lonLat: (ra: number, dec: number) => UnitVector3d): Region {
  const parts = text.trim().split(/\s+/);
  const shape = parts[0]?.toUpperCase();
  const nums = parts.slice(1).map(Number);
  if (nums.some((n) => Number.isNaN(n))) throw new InvalidQueryError(`REGION('${text}'): the coordinates must be numbers.`);
  if (shape === 'CIRCLE' && nums.length === 3) return new Circle(lonLat(nums[0]!, nums[1]!), Angle.fromDegrees(nums[2]!));
  if (shape === 'RANGE' && nums.length === 4) return LonLatBox.fromDegrees(nums[0]!, nums[2]!, nums[1]!, nums[3]!);
  if (shape === 'POLYGON' && nums.length >= 6 && nums.length % 2 === 0) {
    const pts: UnitVector3d[] = [];
    for (let i = 0; i < nums.length; i += 2) pts.push(lonLat(nums[i]!, nums[i + 1]!));
    return ConvexPolygon.convexHull(pts);
  }
  throw new InvalidQueryError(`REGION('${text}') is not an SIAv2 POS value.`, {
    hint: "Use 'CIRCLE ra dec radius', 'RANGE ra1 ra2 dec1 dec2' or 'POLYGON ra1 dec1 ra2 dec2 ra3 dec3 ...' (degrees).",
  });
}

/**
 * Whether a fetched region (encoded bytes) passes a post-filter against another region or a
 * literal.
 *
 * @internal
 */
export function regionsOverlap(a: Region, b: Region | RegionLitLike): boolean {
  // As daf_butler (sphgeom), regions overlap unless they are known to be disjoint: a point
  // within rounding of an edge counts (a POINT is a zero-radius circle).
  if ('k' in b) return overlapOf(a, b.region);
  return overlapOf(a, b);
}

/** @internal */
export interface RegionLitLike {
  readonly k: 'regionlit';
  readonly region: Region;
  readonly point?: UnitVector3d;
}

function overlapOf(a: Region, b: Region): boolean {
  const o = a.overlaps(b);
  if (o !== undefined) return o;
  return (a.relate(b) & Relationship.DISJOINT) === 0;
}

/** Decodes region bytes with a per-query cache. @internal */
export function makeRegionDecoder(): (bytes: unknown) => Region | undefined {
  const cache = new Map<string, Region>();
  return (bytes) => {
    if (!(bytes instanceof Uint8Array)) return undefined;
    const key = Buffer.from(bytes).toString('base64');
    let r = cache.get(key);
    if (r === undefined) {
      r = decodeRegion(bytes);
      cache.set(key, r);
    }
    return r;
  };
}

const pixelizations = new Map<number, HtmPixelization>();

/** The trixel of an HTM index at a level. @internal */
export function skypixRegion(level: number, index: number): Region {
  let p = pixelizations.get(level);
  if (p === undefined) {
    p = new HtmPixelization(level);
    pixelizations.set(level, p);
  }
  return p.pixel(index);
}
