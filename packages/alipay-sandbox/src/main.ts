import { createSandbox } from "./create-sandbox.ts";
import { readSandboxEnv } from "./env.ts";
import { readOrCreateCertificates, readOrCreateKeyPair } from "./key-folder.ts";

const env = readSandboxEnv();
const alipayKeys = readOrCreateKeyPair(env.SANDBOX_KEYS_DIR, "sandbox-alipay");
const appPublicKey = env.SANDBOX_APP_PUBLIC_KEY ?? readOrCreateKeyPair(env.SANDBOX_KEYS_DIR, "app").publicKey;

const certificates =
  env.SANDBOX_KEY_MODE === "cert"
    ? await readOrCreateCertificates(env.SANDBOX_KEYS_DIR, {
        alipayKeys,
        app: { appId: env.SANDBOX_APP_ID, publicKey: appPublicKey },
      })
    : undefined;

const sandbox = createSandbox({
  alipayKeys,
  apps: [
    {
      appId: env.SANDBOX_APP_ID,
      publicKey: appPublicKey,
      name: "paysign (development)",
      appGatewayUrl: env.SANDBOX_APP_GATEWAY_URL ?? null,
      userIdType: env.SANDBOX_USER_ID_TYPE,
      ...(certificates ? { appCert: certificates.appCert } : {}),
    },
  ],
  ...(certificates ? { certificates } : {}),
  stateFile: env.SANDBOX_STATE_FILE,
  timeScale: env.SANDBOX_TIME_SCALE,
  deductionWindowDays: env.SANDBOX_DEDUCTION_WINDOW_DAYS,
  singleAmountCap: env.SANDBOX_SINGLE_AMOUNT_CAP ?? null,
});

const url = await sandbox.listen(env.SANDBOX_PORT, env.SANDBOX_HOST);
console.log(`Alipay sandbox listening on ${url}
  gateway:        ${sandbox.gatewayUrl}
  signing page:   ${url}/sandbox/sign?signStr=<encodeURIComponent(signStr)>&userId=<2088…>
  app id:         ${env.SANDBOX_APP_ID}
  keys:           ${env.SANDBOX_KEYS_DIR} (sandbox-alipay-public.pem is the merchant's alipayPublicKey; app-private.pem signs requests)
  state file:     ${env.SANDBOX_STATE_FILE}
  key mode:       ${env.SANDBOX_KEY_MODE}${certificates ? " (alipayRootCert.crt, alipayCertPublicKey_RSA2.crt, appCertPublicKey_<app id>.crt in the keys folder)" : ""}
  user ids:       ${env.SANDBOX_USER_ID_TYPE}`);

const stop = () => {
  void sandbox.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
