import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generateRsaKeyPair, type RsaKeyPair } from "./crypto/keys.ts";

/** Reads `<name>-private.pem` / `<name>-public.pem` from the folder, creating the pair once when missing. */
export function readOrCreateKeyPair(folder: string, name: string): RsaKeyPair {
  const privatePath = path.join(folder, `${name}-private.pem`);
  const publicPath = path.join(folder, `${name}-public.pem`);
  if (existsSync(privatePath) && existsSync(publicPath)) {
    return { privateKey: readFileSync(privatePath, "utf8"), publicKey: readFileSync(publicPath, "utf8") };
  }
  mkdirSync(folder, { recursive: true });
  const pair = generateRsaKeyPair();
  writeFileSync(privatePath, pair.privateKey, { mode: 0o600 });
  writeFileSync(publicPath, pair.publicKey);
  return pair;
}
