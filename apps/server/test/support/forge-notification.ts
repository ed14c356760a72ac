import { createSign } from "node:crypto";
import type { Stack } from "./stack.ts";

/** A notification signed the way Alipay signs (sorted, `sign`/`sign_type` excluded) with the given private key. */
export function signedNotification(params: Record<string, string>, privateKey: string): Record<string, string> {
  const content = Object.keys(params)
    .filter((key) => key !== "sign" && key !== "sign_type")
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join("&");
  const sign = createSign("RSA-SHA256").update(content, "utf8").sign(privateKey, "base64");
  return { ...params, sign_type: "RSA2", sign };
}

export async function postNotification(stack: Stack, params: Record<string, string>) {
  const response = await fetch(`${stack.api}/alipay/notify`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, text: await response.text() };
}
