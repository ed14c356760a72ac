import { describe, expect, test } from "vitest";
import {
  NOTIFY_SIGN_EXCLUDED,
  REQUEST_SIGN_EXCLUDED,
  buildNotifySignContent,
  buildSignContent,
  decodePaySignStr,
  encodePaySignStr,
  parseLenientJson,
  parsePaySignCenterResult,
  readSignedResponse,
} from "../src/alipay/index.ts";

/** docs/alipay-protocol.md §3: the official `result` example, line breaks as in the doc. */
const officialResult = `{"alipay_user_agreement_page_sign_response":{"code":"10000","msg":"Success","app_id":"2017060101317939","auth_app_id":"2017060101317939",
 "charset":"UTF-8","timestamp":"2017-06-27 11:40:15","sign_scene":"INDUSTRY|CARRENTAL","valid_time":"2017-06-27 11:40:13","status":"NORMAL",
 "external_agreement_no":"test212","agreement_no":"20170627457298962889","external_logon_id":"13852852877","alipay_logon_id":"138****2877",
 "invalid_time":"2017-08-27 11:40:13","personal_product_code":"GENERAL_WITHHOLDING_P","sign_time":"2017-06-27 11:40:14"},
 "sign":"KgeHoSYPu...=","sign_type":"RSA"}`;

const innerStart = officialResult.indexOf("{", 1);
const innerEnd = officialResult.indexOf("},") + 1;
const officialInner = officialResult.slice(innerStart, innerEnd);

describe("paySignCenter result", () => {
  test.each([
    ["as printed", officialResult],
    ["with the doc's trailing comma before the last brace", officialResult.replace('"RSA"}', '"RSA",}')],
    ["with a trailing comma inside the answer", officialResult.replace('11:40:14"}', '11:40:14",}')],
    ["on one line", officialResult.replaceAll("\n", "")],
  ])("reads the official example %s", (_name, text) => {
    const parsed = parsePaySignCenterResult(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.value.response.agreement_no).toBe("20170627457298962889");
    expect(parsed.value.response.status).toBe("NORMAL");
    expect(parsed.value.response.external_agreement_no).toBe("test212");
    expect(parsed.value.sign).toBe("KgeHoSYPu...=");
    expect(parsed.value.signType).toBe("RSA");
    const start = text.indexOf("{", 1);
    expect(parsed.value.signSource).toBe(text.slice(start, text.indexOf("},", start) + 1));
  });

  test("the sign source is the exact raw text, not a re-serialisation", () => {
    const parsed = parsePaySignCenterResult(officialResult);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.value.signSource).toBe(officialInner);
    expect(parsed.value.signSource).toContain("\n");
    expect(parsed.value.signSource).not.toBe(JSON.stringify(JSON.parse(officialInner)));
  });

  test("braces and the answer key inside string values do not confuse the cut", () => {
    const tricky =
      '{"note":"\\"alipay_user_agreement_page_sign_response\\":{}","alipay_user_agreement_page_sign_response":{"code":"10000","msg":"a}b{\\"c","status":"NORMAL"},"sign":"s"}';
    const parsed = parsePaySignCenterResult(tricky);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.value.signSource).toBe('{"code":"10000","msg":"a}b{\\"c","status":"NORMAL"}');
    expect(parsed.value.response.msg).toBe('a}b{"c');
  });

  test.each([
    ["an empty string", ""],
    ["not JSON", "resultStatus=7000"],
    ["an array", "[]"],
    ["an unclosed object", officialResult.slice(0, -1)],
    ["text after the object", `${officialResult}x`],
    ["no answer key", '{"sign":"s"}'],
    [
      "the answer key twice",
      '{"alipay_user_agreement_page_sign_response":{"code":"10000","msg":"Success"},"alipay_user_agreement_page_sign_response":{"code":"10000","msg":"Success"},"sign":"s"}',
    ],
    ["an answer that is a string", '{"alipay_user_agreement_page_sign_response":"x","sign":"s"}'],
    ["an unknown agreement status", officialResult.replace('"NORMAL"', '"ACTIVE"')],
  ])("refuses %s with a reason", (_name, text) => {
    const parsed = parsePaySignCenterResult(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.reason).not.toBe("");
  });
});

describe("gateway answers", () => {
  test("certificate mode: alipay_cert_sn sits between the answer and sign", () => {
    const body =
      '{"alipay_trade_query_response":{"code":"10000","msg":"Success"},"alipay_cert_sn":"abc123","sign":"s"}';
    const read = readSignedResponse(body, "alipay_trade_query_response");
    if (!read.ok) throw new Error(read.reason);
    expect(read.value.signSource).toBe('{"code":"10000","msg":"Success"}');
    expect(read.value.alipayCertSn).toBe("abc123");
  });

  test("escaped slashes are kept as sent (the signature covers them)", () => {
    const body = '{"alipay_trade_query_response":{"code":"10000","msg":"Success","url":"http:\\/\\/x"},"sign":"s"}';
    const read = readSignedResponse(body, "alipay_trade_query_response");
    if (!read.ok) throw new Error(read.reason);
    expect(read.value.signSource).toContain("http:\\/\\/x");
    expect(read.value.response.url).toBe("http://x");
  });

  test("lenient JSON drops trailing commas outside strings only", () => {
    expect(parseLenientJson('{"a":[1,2,],"b":",}",}')).toEqual({ ok: true, value: { a: [1, 2], b: ",}" } });
    expect(parseLenientJson("{,}").ok).toBe(false);
  });
});

describe("sign content", () => {
  test("requests: sorted ASCII, sign excluded, sign_type kept, empty values skipped, values raw", () => {
    const content = buildSignContent(
      {
        version: "1.0",
        timestamp: "2024-01-01 12:00:00",
        sign_type: "RSA2",
        sign: "ignored",
        method: "alipay.user.agreement.query",
        format: "JSON",
        charset: "utf-8",
        biz_content: '{"personal_product_code":"CYCLE_PAY_AUTH_P","sign_scene":"INDUSTRY|X"}',
        app_id: "2021000000000000",
        notify_url: "",
        return_url: undefined,
        app_auth_token: null,
      },
      { exclude: REQUEST_SIGN_EXCLUDED },
    );
    expect(content).toBe(
      'app_id=2021000000000000&biz_content={"personal_product_code":"CYCLE_PAY_AUTH_P","sign_scene":"INDUSTRY|X"}&charset=utf-8&format=JSON&method=alipay.user.agreement.query&sign_type=RSA2&timestamp=2024-01-01 12:00:00&version=1.0',
    );
  });

  test("notifications: sign and sign_type both excluded", () => {
    const content = buildSignContent(
      { notify_type: "dut_user_sign", sign: "x", sign_type: "RSA2", app_id: "1", Z: "upper sorts first" },
      { exclude: NOTIFY_SIGN_EXCLUDED },
    );
    expect(content).toBe("Z=upper sorts first&app_id=1&notify_type=dut_user_sign");
  });

  const withEmptyValue = {
    notify_type: "trade_status_sync",
    sign: "x",
    sign_type: "RSA2",
    passback_params: "",
    app_id: "1",
  };

  test("notifications: empty values skipped when told to skip (how the sandbox signs)", () => {
    expect(buildNotifySignContent(withEmptyValue, { emptyValues: "skip" })).toBe(
      "app_id=1&notify_type=trade_status_sync",
    );
  });

  test("notifications: empty values kept as k= when told to keep (how the server verifies)", () => {
    expect(buildNotifySignContent(withEmptyValue, { emptyValues: "keep" })).toBe(
      "app_id=1&notify_type=trade_status_sync&passback_params=",
    );
  });
});

describe("paySignCenter signStr", () => {
  const sdkExecuteOutput =
    "alipay_sdk=alipay-sdk-nodejs-4.14.0&app_id=2021000000000000&biz_content=%7B%22personal_product_code%22%3A%22CYCLE_PAY_AUTH_P%22%2C%22sign_scene%22%3A%22INDUSTRY%7CDIGITAL_MEDIA%22%7D&charset=utf-8&method=alipay.user.agreement.page.sign&sign=ab%2Bc%2F%3D&sign_type=RSA2&timestamp=2024-01-01%2012%3A00%3A00&version=1.0";

  test("is the sdkExecute output encoded once more, and decodes back to the parameters", () => {
    const signStr = encodePaySignStr(sdkExecuteOutput);
    expect(signStr.startsWith("alipay_sdk%3Dalipay-sdk-nodejs-4.14.0%26app_id%3D")).toBe(true);
    expect(signStr).toContain("biz_content%3D%257B");
    const decoded = decodePaySignStr(signStr);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.value.biz_content).toBe(
      '{"personal_product_code":"CYCLE_PAY_AUTH_P","sign_scene":"INDUSTRY|DIGITAL_MEDIA"}',
    );
    expect(decoded.value.sign).toBe("ab+c/=");
    expect(decoded.value.timestamp).toBe("2024-01-01 12:00:00");
  });

  test("Java's + for spaces decodes to a space", () => {
    const decoded = decodePaySignStr(encodeURIComponent("timestamp=2024-01-01+12%3A00%3A00"));
    expect(decoded).toEqual({ ok: true, value: { timestamp: "2024-01-01 12:00:00" } });
  });

  test.each([
    ["encoded only once", sdkExecuteOutput],
    ["a pageExecute URL", `https://openapi.alipay.com/gateway.do?${sdkExecuteOutput}`],
    ["a broken escape", "abc%2"],
    ["a pair without =", encodeURIComponent("app_id")],
  ])("refuses a signStr %s", (_name, signStr) => {
    expect(decodePaySignStr(signStr).ok).toBe(false);
  });
});
