/** Reads a biz_content field as text: Alipay accepts strings and numbers alike (§2.3 type tolerance). */
export function readText(source: Record<string, unknown>, key: string): string | null {
  const value = source[key];
  if (typeof value === "string") return value === "" ? null : value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

export function readObject(source: Record<string, unknown>, key: string): Record<string, unknown> | null {
  const value = source[key];
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
