/** Money is integer fen in code and a two-decimal yuan string on the wire; never a float. */
const YUAN_PATTERN = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

/** Parses `"19.9"`, `"19.90"`, `19.9` (Alipay accepts numbers in biz_content, §2.3) into fen; null when malformed. */
export function parseYuan(value: unknown): number | null {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string") return null;
  const match = YUAN_PATTERN.exec(text.trim());
  if (!match) return null;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? "").padEnd(2, "0"));
  return whole * 100 + fraction;
}

export function formatFen(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
