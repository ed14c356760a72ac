import { describe, expect, test } from "vitest";
import { ERROR_TEXT, errorText } from "../src/services/api-error.ts";

/**
 * After an ES5 compile with loose classes (the Alipay IDE's), `new ApiError(…)` is a plain Error carrying the fields
 * its constructor set: no `instanceof ApiError`. The pages decide by those fields (the ES5 run of the page tests,
 * project `miniprogram-es5`, proves it for the built pages).
 */
function es5Error(fields: Record<string, unknown>): Error {
  return Object.assign(new Error("lost its prototype"), fields);
}

describe("errors are told apart by their fields, not their class", () => {
  test("an API error that lost its prototype still reads as its code, with the request id", () => {
    const error = es5Error({ name: "ApiError", code: "RATE_LIMITED", status: 429, requestId: "req-7" });
    expect(errorText(error)).toBe(`${ERROR_TEXT.RATE_LIMITED}（编号 req-7）`);
  });

  test("anything else, a code of no API error included, reads as the generic failure", () => {
    expect(errorText(new Error("boom"))).toBe(ERROR_TEXT.INTERNAL);
    expect(errorText(es5Error({ name: "TypeError", code: "RATE_LIMITED" }))).toBe(ERROR_TEXT.INTERNAL);
    expect(errorText(es5Error({ name: "ApiError", code: "NO_SUCH_CODE" }))).toBe(ERROR_TEXT.INTERNAL);
    expect(errorText(null)).toBe(ERROR_TEXT.INTERNAL);
  });
});
