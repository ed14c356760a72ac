import type { Request } from "express";
import { decodeFormComponent, toGatewayCharset, type GatewayCharset } from "./gateway-charsets.ts";

function collect(target: Record<string, string>, search: string, charset: GatewayCharset): void {
  if (charset === "utf-8") {
    for (const [key, value] of new URLSearchParams(search)) target[key] = value;
    return;
  }
  for (const pair of search.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const [key, value] = equals < 0 ? [pair, ""] : [pair.slice(0, equals), pair.slice(equals + 1)];
    target[decodeFormComponent(key, charset)] = decodeFormComponent(value, charset);
  }
}

/** The `charset` the request names (the body's over the query's), if the gateway takes it; else utf-8. */
function declaredCharset(query: string, body: string): GatewayCharset {
  const declared = new URLSearchParams(body).get("charset") ?? new URLSearchParams(query).get("charset") ?? "";
  return toGatewayCharset(declared) ?? "utf-8";
}

/**
 * docs/alipay-protocol.md §1.4: the SDK puts system params in the query and biz_content in a form body; gopay puts all of
 * them in the body. Both are URL-decoded once and merged (the body wins on a clash). The percent-encoded bytes are
 * read in the request's `charset` (§18.1).
 */
export function readGatewayParams(request: Request): Record<string, string> {
  const params: Record<string, string> = {};
  const queryStart = request.originalUrl.indexOf("?");
  const query = queryStart >= 0 ? request.originalUrl.slice(queryStart + 1) : "";
  const body = typeof request.body === "string" ? request.body : "";
  const charset = declaredCharset(query, body);
  collect(params, query, charset);
  if (body.length > 0) collect(params, body, charset);
  return params;
}
