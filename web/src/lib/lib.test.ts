import { describe, expect, it } from "vitest";
import { fakeToken } from "../test/helpers";
import { clearSession, decodeJwt, loadSession, saveSession, sessionFromToken } from "./session";
import { appUrlForSlug, tenantFromPath } from "./tenant";

describe("tenantFromPath", () => {
  it("reads the /t/{slug} prefix", () => {
    expect(tenantFromPath("/t/cam-lo/app/admin/")).toEqual({ slug: "cam-lo", prefix: "/t/cam-lo" });
  });
  it("leaves the commune to the host name otherwise", () => {
    expect(tenantFromPath("/app/resident/")).toEqual({ slug: null, prefix: "" });
  });
  it("builds the same app's address for another commune", () => {
    expect(appUrlForSlug("/app/resident/", " Hau-Loc ")).toBe("/t/hau-loc/app/resident/");
    expect(appUrlForSlug("/t/x/app/admin/", "cam-lo")).toBe("/t/cam-lo/app/admin/");
  });
});

describe("sessions", () => {
  it("decodes a token's claims, Vietnamese names included", () => {
    const token = fakeToken({ preferred_username: "Nguyễn Văn A" });
    expect(decodeJwt(token)?.preferred_username).toBe("Nguyễn Văn A");
    expect(sessionFromToken(token)?.username).toBe("Nguyễn Văn A");
    expect(sessionFromToken("garbage")).toBeNull();
  });

  it("stores a session and drops it once expired", () => {
    const s = sessionFromToken(fakeToken({ exp: 2_000_000_000 }))!;
    saveSession("k", s);
    expect(loadSession("k", 1_000_000_000_000)?.token).toBe(s.token);
    expect(loadSession("k", 2_000_000_000_000)).toBeNull();
    expect(localStorage.getItem("k")).toBeNull();
    saveSession("k", s);
    clearSession("k");
    expect(loadSession("k")).toBeNull();
  });
});
