import iconv from "iconv-lite";

/**
 * A form body (`application/x-www-form-urlencoded`) percent-encoded over the bytes of each key and value in
 * `charset` (e.g. `GBK`), as a client of that charset writes it: `*-._` and ASCII letters and digits stay as they are.
 */
export function encodeCharsetForm(params: Record<string, string>, charset: string): string {
  const percent = (text: string) =>
    [...iconv.encode(text, charset)]
      .map((byte) =>
        /[A-Za-z0-9*\-._]/.test(String.fromCharCode(byte))
          ? String.fromCharCode(byte)
          : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`,
      )
      .join("");
  return Object.entries(params)
    .map(([key, value]) => `${percent(key)}=${percent(value)}`)
    .join("&");
}
