import { describe, expect, it } from "vitest";
import { strength, entropyBits } from "./strength";

describe("passphrase strength", () => {
  it("rates short and repetitive passphrases weak", () => {
    expect(strength("")).toBe(0);
    expect(strength("password")).toBeLessThanOrEqual(1);
    expect(strength("aaaaaaaaaaaaaaaaaaaa")).toBe(0);
    expect(strength("12345678901234")).toBe(0);
  });

  it("rates long passphrases of several words strong, in any script", () => {
    expect(strength("correct horse battery staple")).toBeGreaterThanOrEqual(3);
    expect(strength("қызыл алма тау өзен жол")).toBeGreaterThanOrEqual(3);
  });

  it("grows with length", () => {
    expect(entropyBits("qwkzjr")).toBeLessThan(entropyBits("qwkzjrvbnt"));
  });
});
