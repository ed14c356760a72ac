import { createToken } from "../../state/ids.ts";
import { formatAlipayDateTime } from "@paysign/contracts";
import { readText } from "../biz-fields.ts";
import type { MethodHandler } from "../method-context.ts";
import { invalidArguments, success } from "../results.ts";
import { userFields, userIdTypeOf } from "../../users/user-identity.ts";

const ACCESS_TOKEN_SECONDS = 1_296_000;
const REFRESH_TOKEN_SECONDS = 2_592_000;

/** alipay.system.oauth.token: grant_type/code are common params (not biz_content); an auth code works once. */
export const oauthToken: MethodHandler = ({ deps, request, now }) => {
  const { state } = deps.store;
  const grantType = request.params.grant_type ?? readText(request.biz, "grant_type");
  let userId: string;
  if (grantType === "authorization_code") {
    const code = request.params.code ?? readText(request.biz, "code") ?? "";
    const authCode = state.authCodes[code];
    if (!authCode || authCode.used) return invalidArguments("isv.code-invalid", "授权码code无效");
    authCode.used = true;
    userId = authCode.userId;
  } else if (grantType === "refresh_token") {
    const refreshToken = request.params.refresh_token ?? readText(request.biz, "refresh_token") ?? "";
    const token = Object.values(state.accessTokens).find((candidate) => candidate.refreshToken === refreshToken);
    if (!token) return invalidArguments("isv.refresh-token-invalid", "刷新令牌refresh_token无效");
    userId = token.userId;
  } else {
    return invalidArguments("isv.grant-type-invalid", "grant_type 只支持 authorization_code 和 refresh_token");
  }
  const accessToken = createToken("authusrB");
  const refreshToken = createToken("authusrB");
  state.accessTokens[accessToken] = { accessToken, refreshToken, userId };
  deps.store.save();
  const userIdType = userIdTypeOf(deps.config, request.app.appId);
  // §19.1: an open-id app is answered open_id and no user_id.
  return success({
    ...userFields({ userIdType, appId: request.app.appId, userId }, { userId: "user_id", openId: "open_id" }),
    access_token: accessToken,
    expires_in: ACCESS_TOKEN_SECONDS,
    refresh_token: refreshToken,
    re_expires_in: REFRESH_TOKEN_SECONDS,
    auth_start: formatAlipayDateTime(now),
  });
};
