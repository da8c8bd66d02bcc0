import { TableColumn, type TableColumnOptions } from 'typeorm';

/** Column helpers that write the same types as the entities' decorators. */
export const col = {
  id: (): TableColumnOptions => ({ name: 'id', type: 'varchar', length: '36', isPrimary: true }),
  createdAt: (): TableColumnOptions => ({ name: 'createdAt', type: 'datetime', precision: 3 }),
  uuid: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isNullable: nullable }),
  varchar: (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable }),
  text: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable }),
  int: (name: string, dflt?: number): TableColumnOptions => ({ name, type: 'integer', ...(dflt === undefined ? {} : { default: dflt }) }),
  bigint: (name: string): TableColumnOptions => ({ name, type: 'bigint' }),
  double: (name: string, dflt?: number): TableColumnOptions => ({ name, type: 'double', ...(dflt === undefined ? {} : { default: dflt }) }),
  bool: (name: string, dflt?: boolean): TableColumnOptions => ({ name, type: 'boolean', ...(dflt === undefined ? {} : { default: dflt ? 1 : 0 }) }),
  datetime: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable: nullable }),
};

export { TableColumn };
