import type { Request } from "express";

function collect(target: Record<string, string>, search: string): void {
  for (const [key, value] of new URLSearchParams(search)) target[key] = value;
}

/**
 * docs/alipay-protocol.md §1.4: the SDK puts system params in the query and biz_content in a form body; gopay puts all of
 * them in the body. Both are URL-decoded once and merged (the body wins on a clash).
 */
export function readGatewayParams(request: Request): Record<string, string> {
  const params: Record<string, string> = {};
  const queryStart = request.originalUrl.indexOf("?");
  if (queryStart >= 0) collect(params, request.originalUrl.slice(queryStart + 1));
  if (typeof request.body === "string" && request.body.length > 0) collect(params, request.body);
  return params;
}
