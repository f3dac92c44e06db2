import { SHARD_COLUMNS, type ShardColumn } from '../schema';
import { list, struct, type ThriftStruct } from './thrift';

/** Parquet's enum values, as the footer stores them. */
export const PhysicalType = { INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
const Repetition = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;
const ConvertedType = { UTF8: 0, LIST: 3 } as const;

/** A leaf column of the shard schema: where its values live and how they are typed. */
export interface LeafColumn {
  /** Top-level column (the ShardRow property). */
  name: string;
  type: ShardColumn['type'];
  physical: (typeof PhysicalType)[keyof typeof PhysicalType];
  /** Path in the schema: `[name]`, or `[name, 'list', 'element']` for the LIST column. */
  path: string[];
  maxDef: number;
  maxRep: number;
  /** Min/max statistics are kept for numbers only: on text they would copy documents into the footer. */
  statistics: boolean;
}

function leaf(column: ShardColumn): LeafColumn {
  const optional = column.nullable ? 1 : 0;
  const numeric = column.type === 'int64' || column.type === 'float64';
  if (column.type === 'list<string>') {
    // The standard three-level LIST: optional group, repeated `list`, required `element`.
    return { name: column.name, type: column.type, physical: PhysicalType.BYTE_ARRAY, path: [column.name, 'list', 'element'], maxDef: optional + 1, maxRep: 1, statistics: false };
  }
  const physical = column.type === 'string' ? PhysicalType.BYTE_ARRAY : column.type === 'int64' ? PhysicalType.INT64 : PhysicalType.DOUBLE;
  return { name: column.name, type: column.type, physical, path: [column.name], maxDef: optional, maxRep: 0, statistics: numeric };
}

/** The leaf columns of a shard, in file order. */
export const LEAF_COLUMNS: readonly LeafColumn[] = SHARD_COLUMNS.map(leaf);

/**
 * The footer's schema elements: the root, then each column depth-first. The same elements
 * (names, repetition, converted types) parquetjs-lite 0.8.7 wrote for this schema.
 */
export function schemaElements(): ThriftStruct[] {
  const elements: ThriftStruct[] = [struct([4, 'root'], [5, SHARD_COLUMNS.length])];
  for (const c of SHARD_COLUMNS) {
    const repetition = c.nullable ? Repetition.OPTIONAL : Repetition.REQUIRED;
    if (c.type === 'list<string>') {
      elements.push(struct([3, repetition], [4, c.name], [5, 1], [6, ConvertedType.LIST]));
      elements.push(struct([3, Repetition.REPEATED], [4, 'list'], [5, 1]));
      elements.push(struct([1, PhysicalType.BYTE_ARRAY], [3, Repetition.REQUIRED], [4, 'element'], [6, ConvertedType.UTF8]));
      continue;
    }
    const l = leaf(c);
    elements.push(struct([1, l.physical], [3, repetition], [4, c.name], [6, c.type === 'string' ? ConvertedType.UTF8 : undefined]));
  }
  return elements;
}

/** `list<string>` of path names, for ColumnMetaData. */
export const pathList = (l: LeafColumn) => list('binary', l.path);
