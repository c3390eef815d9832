import { cleanup, fireEvent, render, screen } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setLang } from "../i18n";
import { saveSession, sessionFromToken, sessionKey } from "../lib/session";
import { CAM_LO, mockFetch } from "../test/helpers";
import { ResidentApp } from "./App";
import { LazyScreen, matchScreen, offered, SCREENS, type ScreenDef } from "./routes";
import { screenProps, TOKEN } from "./test-support";

beforeEach(() => {
  localStorage.clear();
  setLang("vi");
  location.hash = "";
  saveSession(sessionKey("resident", "cam-lo"), sessionFromToken(TOKEN)!);
});
afterEach(cleanup);

describe("resident routes", () => {
  it("match a screen and its parameters", () => {
    expect(matchScreen("/reports/12")).toMatchObject({ screen: { path: "/reports" }, params: ["12"] });
    expect(matchScreen("/report")).toMatchObject({ screen: { path: "/report" }, params: [] });
    expect(matchScreen("/trace/https%3A%2F%2Fx%2F01%2F1")?.params).toEqual(["https://x/01/1"]);
    expect(matchScreen("/")).toBeNull();
    expect(matchScreen("/nowhere")).toBeNull();
  });

  it("offer a screen only when the commune has its module on", () => {
    const fees = SCREENS.find((s) => s.path === "/fees")!;
    expect(offered(fees, ["fees"])).toBe(true);
    expect(offered(fees, ["reports"])).toBe(false);
    expect(offered(fees, undefined)).toBe(true);
    expect(offered(SCREENS.find((s) => s.path === "/contacts")!, [])).toBe(true);
  });
});

describe("home", () => {
  it("shows the services of the commune as tiles, the bottom tabs and the inbox", async () => {
    const m = mockFetch({
      "GET /api/v1/commune": () => ({ ...CAM_LO, modules: ["announcements", "reports", "surveys"] }),
      "GET /api/v1/inbox": () => ({ items: [], unread: 0 }),
    });
    render(<ResidentApp fetch={m.fetch} pathname="/t/cam-lo/app/resident/" />);
    const tiles = await screen.findByRole("navigation", { name: "Dịch vụ của xã" });
    const names = [...tiles.querySelectorAll("a")].map((a) => a.textContent);
    expect(names).toEqual(["Gửi phản ánh", "Phản ánh của tôi", "Khảo sát", "Danh bạ", "Thư viện văn bản"]);
    const tabs = screen.getByRole("navigation", { name: "Điều hướng chính" });
    expect([...tabs.querySelectorAll("a")].map((a) => a.getAttribute("href"))).toEqual(["#/", "#/inbox", "#/report", "#/reports"]);
    expect(tabs.querySelector('[aria-current="page"]')?.getAttribute("href")).toBe("#/");
    expect(screen.getByRole("heading", { name: "Tin tức và thông báo" })).toBeTruthy();
  });

  it("does not open a screen whose module is off: it is not there", async () => {
    location.hash = "#/fees";
    const m = mockFetch({
      "GET /api/v1/commune": () => ({ ...CAM_LO, modules: ["announcements"] }),
      "GET /api/v1/inbox": () => ({ items: [], unread: 0 }),
    });
    render(<ResidentApp fetch={m.fetch} pathname="/t/cam-lo/app/resident/" />);
    expect(await screen.findByRole("heading", { name: "Không tìm thấy trang" })).toBeTruthy();
    expect(m.calls.some((c) => c.url.pathname.includes("/me/invoices"))).toBe(false);
  });

  it("shows a not-found page for an unknown address instead of the home page (issue 14)", async () => {
    location.hash = "#/khong-co-trang-nay";
    const m = mockFetch({
      "GET /api/v1/commune": () => CAM_LO,
      "GET /api/v1/inbox": () => ({ items: [], unread: 0 }),
    });
    render(<ResidentApp fetch={m.fetch} pathname="/t/cam-lo/app/resident/" />);
    expect(await screen.findByRole("heading", { name: "Không tìm thấy trang" })).toBeTruthy();
    expect(screen.getByText(/#\/khong-co-trang-nay/)).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "Tin tức và thông báo" })).toBeNull();
    const home = screen.getByRole("link", { name: "Về trang chủ" });
    expect(home.getAttribute("href")).toBe("#/");
    const tabs = screen.getByRole("navigation", { name: "Điều hướng chính" });
    expect(tabs.querySelector('[aria-current="page"]')).toBeNull();
  });
});

describe("lazily loaded screens", () => {
  it("offer a retry when the screen's code cannot be fetched (offline before it was ever opened)", async () => {
    let fail = true;
    const def: ScreenDef = {
      path: "/x",
      label: "resident.nav.contacts",
      icon: "phone",
      load: async () => {
        if (fail) throw new TypeError("Failed to fetch dynamically imported module");
        return { default: () => <p>{"ok"}</p> };
      },
    };
    render(<LazyScreen screen={def} props={screenProps(mockFetch({}).fetch)} />);
    const retry = await screen.findByRole("button", { name: "Thử lại" });
    expect(screen.getByText(/Không kết nối được máy chủ/)).toBeTruthy();
    fail = false;
    fireEvent.click(retry);
    expect(await screen.findByText("ok")).toBeTruthy();
  });
});

describe("branding", () => {
  it("shows the commune's display name, colour and logo from the public branding (issue 14)", async () => {
    const m = mockFetch({
      "GET /api/v1/commune": () => CAM_LO,
      "GET /api/v1/inbox": () => ({ items: [], unread: 0 }),
      "GET /api/v1/public/commune/branding": () => ({
        name: "UBND xã Cam Lộ",
        primary_color: "#7a1f5c",
        logo_url: "/api/v1/public/commune/logo?v=abc",
        contact_phone: null,
        contact_email: null,
        address: null,
        office_hours: null,
      }),
    });
    render(<ResidentApp fetch={m.fetch} pathname="/t/cam-lo/app/resident/" />);
    expect(await screen.findByText("UBND xã Cam Lộ")).toBeTruthy();
    const root = document.documentElement;
    expect(root.style.getPropertyValue("--brand")).toBe("#7a1f5c");
    expect(root.style.getPropertyValue("--sc-logo")).toContain("/t/cam-lo/api/v1/public/commune/logo?v=abc");
    expect(root.classList.contains("has-logo")).toBe(true);
    expect(JSON.parse(localStorage.getItem("sc.branding.cam-lo")!).primary_color).toBe("#7a1f5c");
    expect(await screen.findByRole("heading", { name: "Tin tức và thông báo" })).toBeTruthy();
    await new Promise((r) => setTimeout(r, 50)); // the outbox's first refresh settles before the page goes
  });

  it("offers the public pages on the sign-in screen: visitors need no account", async () => {
    localStorage.clear();
    location.hash = "#/listings";
    const m = mockFetch({ "GET /api/v1/commune": () => CAM_LO });
    render(<ResidentApp fetch={m.fetch} pathname="/t/cam-lo/app/resident/" />);
    const link = await screen.findByRole("link", { name: "Xem dịch vụ, sản phẩm và đặt chỗ không cần đăng nhập" });
    expect(link.getAttribute("href")).toMatch(/\/t\/cam-lo\/listings$/);
  });
});
