/**
 * Reads a signed Alipay JSON answer (a gateway body, or paySignCenter's `result`) without re-serialising it: the
 * signature covers the exact raw text of the `<method>_response` object (docs/alipay-protocol.md §1.6), so that text is
 * cut out of the body by a string-aware scan. Trailing commas (`…,}`), as in Alipay's own paySignCenter example
 * (§3), are tolerated when reading values; the raw text is kept as it is.
 */

export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

type Entry = { key: string; valueStart: number; valueEnd: number };

function skipWhitespace(text: string, index: number): number {
  let i = index;
  while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t")) i++;
  return i;
}

/** Index just past the string that opens at `index`, or -1 when it never closes. */
function endOfString(text: string, index: number): number {
  for (let i = index + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  return -1;
}

/** Index just past the value that starts at `index` (object, array, string or bare literal), or -1. */
function endOfValue(text: string, index: number): number {
  const first = text[index];
  if (first === '"') return endOfString(text, index);
  if (first !== "{" && first !== "[") {
    let i = index;
    while (i < text.length && !",}] \n\r\t".includes(text[i] ?? "")) i++;
    return i > index ? i : -1;
  }
  let depth = 0;
  for (let i = index; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      i = endOfString(text, i) - 1;
      if (i < 0) return -1;
    } else if (char === "{" || char === "[") depth++;
    else if (char === "}" || char === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function parseStringToken(token: string): string | undefined {
  try {
    const value: unknown = JSON.parse(token);
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The members of the top-level object, in order, with the raw span of each value. */
function readTopLevelEntries(text: string): Result<Entry[]> {
  const entries: Entry[] = [];
  let i = skipWhitespace(text, 0);
  if (text[i] !== "{") return { ok: false, reason: "the text is not a JSON object" };
  i = skipWhitespace(text, i + 1);
  while (text[i] !== "}") {
    if (text[i] !== '"') return { ok: false, reason: `expected a key at offset ${i}` };
    const keyEnd = endOfString(text, i);
    if (keyEnd < 0) return { ok: false, reason: "a key never ends" };
    const key = parseStringToken(text.slice(i, keyEnd));
    if (key === undefined) return { ok: false, reason: `the key at offset ${i} is not a valid JSON string` };
    i = skipWhitespace(text, keyEnd);
    if (text[i] !== ":") return { ok: false, reason: `expected ':' after "${key}"` };
    const valueStart = skipWhitespace(text, i + 1);
    const valueEnd = endOfValue(text, valueStart);
    if (valueEnd < 0) return { ok: false, reason: `the value of "${key}" never ends` };
    entries.push({ key, valueStart, valueEnd });
    i = skipWhitespace(text, valueEnd);
    if (text[i] === ",") i = skipWhitespace(text, i + 1);
    else if (text[i] !== "}") return { ok: false, reason: `expected ',' or '}' after "${key}"` };
  }
  if (skipWhitespace(text, i + 1) !== text.length) return { ok: false, reason: "text follows the JSON object" };
  return { ok: true, value: entries };
}

/** Drops a comma that follows a value and directly precedes `}` or `]`, outside strings. */
export function removeTrailingCommas(text: string): string {
  let out = "";
  let lastSignificant = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? "";
    if (char === '"') {
      const end = endOfString(text, i);
      if (end < 0) return out + text.slice(i);
      out += text.slice(i, end);
      lastSignificant = '"';
      i = end - 1;
      continue;
    }
    if (char === ",") {
      const next = text[skipWhitespace(text, i + 1)];
      const followsValue = lastSignificant !== "" && !"{[,".includes(lastSignificant);
      if (followsValue && (next === "}" || next === "]")) continue;
    }
    out += char;
    if (!" \n\r\t".includes(char)) lastSignificant = char;
  }
  return out;
}

/** JSON.parse that forgives trailing commas. */
export function parseLenientJson(text: string): Result<unknown> {
  try {
    return { ok: true, value: JSON.parse(removeTrailingCommas(text)) as unknown };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : "invalid JSON" };
  }
}

export type SignedResponse = {
  /** The key that held the answer: the one asked for, or `error_response`. */
  responseKey: string;
  /** The exact raw text of the answer object: what the signature covers. */
  signSource: string;
  /** The answer object, parsed. */
  response: Record<string, unknown>;
  sign: string | undefined;
  signType: string | undefined;
  /** Certificate mode: the serial number of the Alipay certificate that signed (§1.5). */
  alipayCertSn: string | undefined;
};

function readStringMember(text: string, entry: Entry | undefined): string | undefined {
  return entry ? parseStringToken(text.slice(entry.valueStart, entry.valueEnd)) : undefined;
}

/**
 * Splits `{"<responseKey>":{…},"sign":"…"}` into the raw signed text and its parts. Falls back to `error_response`
 * (§1.5). Refuses a body that holds the answer key twice (JAVA SDK does the same): which one was signed is ambiguous.
 */
export function readSignedResponse(body: string, responseKey: string): Result<SignedResponse> {
  const entries = readTopLevelEntries(body);
  if (!entries.ok) return entries;
  for (const key of [responseKey, "error_response"]) {
    const matches = entries.value.filter((entry) => entry.key === key);
    if (matches.length > 1) return { ok: false, reason: `"${key}" appears more than once` };
    const [entry] = matches;
    if (!entry) continue;
    const signSource = body.slice(entry.valueStart, entry.valueEnd);
    const response = parseLenientJson(signSource);
    if (!response.ok) return { ok: false, reason: `"${key}" is not valid JSON: ${response.reason}` };
    if (typeof response.value !== "object" || response.value === null || Array.isArray(response.value)) {
      return { ok: false, reason: `"${key}" is not an object` };
    }
    const member = (name: string) => entries.value.find((candidate) => candidate.key === name);
    return {
      ok: true,
      value: {
        responseKey: key,
        signSource,
        response: response.value as Record<string, unknown>,
        sign: readStringMember(body, member("sign")),
        signType: readStringMember(body, member("sign_type")),
        alipayCertSn: readStringMember(body, member("alipay_cert_sn")),
      },
    };
  }
  return { ok: false, reason: `the body holds neither "${responseKey}" nor "error_response"` };
}
