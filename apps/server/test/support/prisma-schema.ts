import { readFileSync } from "node:fs";

// A reader for the subset of the Prisma schema language that prisma/schema.prisma uses. The schema-drift test
// compares what it reads with the migrated database, so a model and its migration cannot drift apart.

export type SchemaField = {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  attributes: string;
};

export type SchemaModel = {
  name: string;
  fields: SchemaField[];
  blockAttributes: string[];
};

export type PrismaSchema = { models: SchemaModel[]; enums: Map<string, string[]> };

export function readPrismaSchema(file: string): PrismaSchema {
  const text = readFileSync(file, "utf8").replace(/\/\/.*$/gm, "");
  const models: SchemaModel[] = [];
  const enums = new Map<string, string[]>();
  for (const block of text.matchAll(/^(model|enum)\s+(\w+)\s*\{([^}]*)\}/gm)) {
    const [, kind, name = "", body = ""] = block;
    const lines = body
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean);
    if (kind === "enum") {
      enums.set(name, lines);
      continue;
    }
    const fields: SchemaField[] = [];
    const blockAttributes: string[] = [];
    for (const line of lines) {
      if (line.startsWith("@@")) {
        blockAttributes.push(line);
        continue;
      }
      const match = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!match) throw new Error(`Unreadable line in model ${name}: ${line}`);
      const [, fieldName = "", type = "", list, optional, attributes = ""] = match;
      fields.push({ name: fieldName, type, list: Boolean(list), optional: Boolean(optional), attributes });
    }
    models.push({ name, fields, blockAttributes });
  }
  return { models, enums };
}

const scalarTypes = new Set(["String", "Int", "BigInt", "Boolean", "Decimal", "DateTime", "Json", "Float", "Bytes"]);

/** A scalar or enum field is a column (a scalar list is an array column); a relation field is not. */
export function isColumn(field: SchemaField, schema: PrismaSchema): boolean {
  return scalarTypes.has(field.type) || schema.enums.has(field.type);
}

/** The PostgreSQL type Prisma's conventions give a field, as `format_type()` prints it (a scalar list: `type[]`). */
export function expectedColumnType(field: SchemaField, schema: PrismaSchema): string {
  if (schema.enums.has(field.type)) return `"${field.type}"`;
  const native = /@db\.(\w+)(?:\(([^)]*)\))?/.exec(field.attributes);
  const [, nativeType, args] = native ?? [];
  switch (nativeType) {
    case "Uuid":
      return "uuid";
    case "VarChar":
      return `character varying(${args})`;
    case "Decimal":
      return `numeric(${args?.replace(/\s/g, "")})`;
    case "Timestamptz":
      return `timestamp(${args ?? 6}) with time zone`;
    case "Date":
      return "date";
    case undefined:
      break;
    default:
      throw new Error(`Add a mapping for @db.${nativeType} to the schema reader.`);
  }
  const defaults: Record<string, string> = {
    String: "text",
    Int: "integer",
    BigInt: "bigint",
    Boolean: "boolean",
    Decimal: "numeric(65,30)",
    DateTime: "timestamp(3) without time zone",
    Json: "jsonb",
    Float: "double precision",
    Bytes: "bytea",
  };
  const type = defaults[field.type];
  if (!type) throw new Error(`No column type for ${field.type}`);
  return field.list ? `${type}[]` : type;
}

export type ExpectedIndex = { name: string; table: string; columns: string[]; unique: boolean };

/** Indexes Prisma names by convention: `<Model>_pkey`, `<Model>_<cols>_key` (unique), `<Model>_<cols>_idx`. */
export function expectedIndexes(model: SchemaModel): ExpectedIndex[] {
  const indexes: ExpectedIndex[] = [];
  for (const field of model.fields) {
    if (/@id\b/.test(field.attributes))
      indexes.push({ name: `${model.name}_pkey`, table: model.name, columns: [field.name], unique: true });
    if (/@unique\b/.test(field.attributes))
      indexes.push({ name: `${model.name}_${field.name}_key`, table: model.name, columns: [field.name], unique: true });
  }
  for (const attribute of model.blockAttributes) {
    const match = /^@@(unique|index|id)\(\[([^\]]*)\]/.exec(attribute);
    if (!match) continue;
    const [, kind, list = ""] = match;
    const columns = list.split(",").map((column) => column.trim());
    const suffix = kind === "unique" ? "key" : kind === "index" ? "idx" : "pkey";
    const name = kind === "id" ? `${model.name}_pkey` : `${model.name}_${columns.join("_")}_${suffix}`;
    indexes.push({ name, table: model.name, columns, unique: kind !== "index" });
  }
  return indexes;
}

export type ExpectedForeignKey = { table: string; columns: string[]; references: string; referencedColumns: string[] };

export function expectedForeignKeys(model: SchemaModel): ExpectedForeignKey[] {
  return model.fields.flatMap((field) => {
    const match = /@relation\([^)]*fields:\s*\[([^\]]*)\][^)]*references:\s*\[([^\]]*)\]/.exec(field.attributes);
    if (!match) return [];
    const split = (list = "") => list.split(",").map((item) => item.trim());
    return [
      { table: model.name, columns: split(match[1]), references: field.type, referencedColumns: split(match[2]) },
    ];
  });
}
