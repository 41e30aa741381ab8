import { describe, expect, it } from "vitest";
import { stepZoom, zoomKey, ZOOMS } from "./zoom";

describe("zoom", () => {
  it("steps up and down through the steps and stops at their ends", () => {
    expect(stepZoom(100, 1)).toBe(125);
    expect(stepZoom(175, 1)).toBe(200);
    expect(stepZoom(200, 1)).toBe(200);
    expect(stepZoom(125, -1)).toBe(100);
    expect(stepZoom(100, -1)).toBe(100);
    // A zoom between steps (a settings file written by hand) goes to the next step.
    expect(stepZoom(110, 1)).toBe(125);
    expect(stepZoom(110, -1)).toBe(100);
    expect(ZOOMS).toContain(200);
  });

  it("reads Ctrl +, Ctrl − and Ctrl 0, and nothing else", () => {
    const key = (key: string, ctrlKey = true, altKey = false) => zoomKey({ key, ctrlKey, metaKey: false, altKey }, 150);
    expect(key("+")).toBe(175);
    expect(key("=")).toBe(175);
    expect(key("-")).toBe(125);
    expect(key("0")).toBe(100);
    expect(key("+", false)).toBeNull();
    expect(key("+", true, true)).toBeNull();
    expect(key("l")).toBeNull();
  });
});
