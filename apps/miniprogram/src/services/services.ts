import type { BuildConfig } from "../config.ts";
import { signRelay } from "../runtime/sign-relay.ts";
import { createApiClient, type ApiClient } from "./api-client.ts";
import { alipayAuthCodes, sandboxAuthCodes } from "./auth-code.ts";
import { createSessionService } from "./session.ts";
import { alipaySignCenter, sandboxApiSignCenter, sandboxSignCenter, type SignCenter } from "./sign-center.ts";
import { STORAGE_KEYS, storedString } from "./storage.ts";

export type Services = { config: BuildConfig; api: ApiClient; signCenter: SignCenter };

export type MyApi = Pick<
  typeof my,
  | "request"
  | "getAuthCode"
  | "paySignCenter"
  | "canIUse"
  | "confirm"
  | "getStorage"
  | "setStorage"
  | "removeStorage"
  | "navigateTo"
>;

/**
 * Everything a page needs, wired for the build's mode. The mode is the build-time constant `__PAYSIGN_MODE__`, so a
 * release bundle holds no development code (sandbox buyer, web-view signing, sign relay).
 */
export function createServices(config: BuildConfig, api: MyApi): Services {
  if (__PAYSIGN_MODE__ === "development") return developmentServices(config, api);
  return realServices(config, api);
}

function realServices(config: BuildConfig, api: MyApi): Services {
  const request: MyApi["request"] = (options) => api.request(options);
  const session = createSessionService({
    request,
    apiBaseUrl: config.apiBaseUrl,
    authCodes: alipayAuthCodes((options) => api.getAuthCode(options)),
    tokenStore: storedString(api, STORAGE_KEYS.sessionToken),
  });
  return {
    config,
    api: createApiClient({ request, apiBaseUrl: config.apiBaseUrl, session }),
    signCenter: alipaySignCenter({
      paySignCenter: (options) => api.paySignCenter(options),
      canIUse: (name) => api.canIUse(name),
    }),
  };
}

function developmentServices(config: BuildConfig, api: MyApi): Services {
  const { sandboxUrl } = config;
  if (!sandboxUrl) throw new RangeError("a development build needs sandboxUrl");
  const request: MyApi["request"] = (options) => api.request(options);
  const buyer = sandboxAuthCodes({ request, sandboxUrl, userIdStore: storedString(api, STORAGE_KEYS.devUserId) });
  const session = createSessionService({
    request,
    apiBaseUrl: config.apiBaseUrl,
    authCodes: buyer,
    tokenStore: storedString(api, STORAGE_KEYS.sessionToken),
  });
  const buyerId = () => buyer.userId();
  return {
    config,
    api: createApiClient({ request, apiBaseUrl: config.apiBaseUrl, session }),
    signCenter:
      config.devSigning === "sandbox-api"
        ? sandboxApiSignCenter({ request, sandboxUrl, buyerId, confirm: (options) => api.confirm(options) })
        : sandboxSignCenter({
            sandboxUrl,
            buyerId,
            relay: signRelay,
            navigateTo: (options) => api.navigateTo(options),
          }),
  };
}
