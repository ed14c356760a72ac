import { expect, test } from "vitest";
import { placeholder } from "@paysign/contracts";
test("resolves source", () => {
  expect(placeholder).toBe(true);
});
