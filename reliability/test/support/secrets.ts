/** A value that must never be written to a log, and what it is. */
export type Secret = { label: string; value: string };

type Leak = { label: string; file: string; line: number; excerpt: string };

export type ScanResult = { secrets: number; needles: number; lines: number; leaks: Leak[] };

/** Keys whose value is a secret or personal wherever they appear in a JSON log line. */
const secretKeys = new Set(["sign", "signStr", "privateKey", "authCode", "auth_code", "token"]);
const logonIdKeys = new Set(["alipay_logon_id", "buyer_logon_id", "logonId", "logon_id"]);

/**
 * What to look for: the value itself (its first 40 characters, so a truncated copy is caught too) and its URL-encoded
 * form; for a PEM key, every line of its body, so no piece of it can hide.
 */
function needlesOf(secret: Secret): string[] {
  if (secret.value.includes("-----BEGIN")) {
    return secret.value
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line.length >= 32 && !line.startsWith("-----"));
  }
  const forms = new Set([secret.value, encodeURIComponent(secret.value), JSON.stringify(secret.value).slice(1, -1)]);
  return [...forms].map((form) => form.slice(0, 40)).filter((form) => form.length >= 12);
}

/** Keys of a parsed log line that carry a secret in clear (not pino's `[redacted]`). */
function clearSecretKeys(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => clearSecretKeys(item, `${path}[${index}]`));
  if (!value || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => {
    const here = path ? `${path}.${key}` : key;
    if (typeof inner === "string" && inner !== "[redacted]") {
      if (secretKeys.has(key) && inner.length > 0) return [here];
      // A masked logon id (`abc***@example.com`) is what Alipay sends; a full one is personal data.
      if (logonIdKeys.has(key) && inner.length > 0 && !inner.includes("*")) return [here];
    }
    return clearSecretKeys(inner, here);
  });
}

/** Every known secret, any PEM block, and any secret-named key in clear, in every line of every log file. */
export function scanLogs(files: Array<{ name: string; text: string }>, secrets: Secret[]): ScanResult {
  const needles = new Map<string, string>();
  for (const secret of secrets) for (const needle of needlesOf(secret)) needles.set(needle, secret.label);
  const leaks: Leak[] = [];
  let lines = 0;
  for (const file of files) {
    const fileLines = file.text.split("\n");
    lines += fileLines.filter((line) => line.length > 0).length;
    const lineAt = (offset: number) => file.text.slice(0, offset).split("\n").length;
    for (const [needle, label] of needles) {
      const at = file.text.indexOf(needle);
      if (at >= 0) leaks.push({ label, file: file.name, line: lineAt(at), excerpt: excerptAt(file.text, at) });
    }
    fileLines.forEach((line, index) => {
      if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(line)) {
        leaks.push({ label: "a PEM private key", file: file.name, line: index + 1, excerpt: line.slice(0, 120) });
      }
      if (!line.startsWith("{")) return;
      try {
        for (const key of clearSecretKeys(JSON.parse(line))) {
          leaks.push({ label: `key "${key}" in clear`, file: file.name, line: index + 1, excerpt: line.slice(0, 160) });
        }
      } catch {
        // not a JSON line (a stack trace, a tsx warning): the needles above still cover it
      }
    });
  }
  return { secrets: secrets.length, needles: needles.size, lines, leaks };
}

function excerptAt(text: string, at: number): string {
  return text.slice(Math.max(0, at - 60), at + 60).replace(/\n/g, " ");
}
