import { cleanup, fireEvent, render, screen, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApi } from "../api/client";
import { setLang } from "../i18n";
import { LogForm } from "../admin/economy/LogForm";
import { mockFetch } from "../test/helpers";
import { DateField, isoToLocal, localToIso } from "./DateField";

beforeEach(() => {
  localStorage.clear();
  setLang("vi");
});
afterEach(cleanup);

describe("DateField (issue 15: date inputs showed mm/dd/yyyy in a Vietnamese UI)", () => {
  it("reads and writes dd/mm/yyyy and refuses a date that does not exist", () => {
    expect(isoToLocal("2026-12-07", false)).toBe("07/12/2026");
    expect(isoToLocal("2026-12-07T08:30", true)).toBe("07/12/2026 08:30");
    expect(localToIso("7/12/2026", false)).toBe("2026-12-07");
    expect(localToIso("07.12.2026 8:30", true)).toBe("2026-12-07T08:30");
    expect(localToIso("12/31/2026", false)).toBeNull(); // mm/dd is not a date here
    expect(localToIso("31/02/2026", false)).toBeNull();
    expect(localToIso("07/12/2026 25:00", true)).toBeNull();
  });

  it("is a text field with a dd/mm/yyyy hint, hands back ISO and flags a bad date", () => {
    let got = "x";
    render(<DateField label="Ngày sinh" name="dob" value="2026-01-05" onValue={(v) => (got = v)} />);
    const input = screen.getByLabelText("Ngày sinh") as HTMLInputElement;
    expect(input.type).toBe("text");
    expect(input.value).toBe("05/01/2026");
    expect(screen.getByText("Ngày/tháng/năm, ví dụ 07/12/2026")).toBeTruthy();
    fireEvent.input(input, { target: { value: "31/12/2026" } });
    expect(got).toBe("2026-12-31");
    fireEvent.input(input, { target: { value: "12/31/2026" } });
    expect(got).toBe("");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm.")).toBeTruthy();
  });

  it("the production log's date is typed dd/mm/yyyy hh:mm (not the browser's mm/dd/yyyy)", async () => {
    const m = mockFetch({ "POST /api/v1/production/farms/1/logs": () => ({ log: {}, lot: null }) });
    const api = makeApi({ baseUrl: "http://localhost/t/cam-lo", fetch: m.fetch, token: () => "tok" });
    render(<LogForm api={api} farmId={1} plots={[]} lots={[]} onDone={() => undefined} />);
    const form = screen.getByRole("form", { name: "Ghi nhật ký" });
    const at = within(form).getByLabelText("Thời điểm") as HTMLInputElement;
    expect(at.type).toBe("text");
    expect(at.placeholder).toBe("nn/tt/nnnn gg:pp");
    fireEvent.input(at, { target: { value: "03/12/2026 07:15" } });
    fireEvent.click(within(form).getByRole("button", { name: "Lưu" }));
    await new Promise((r) => setTimeout(r, 20));
    const body = JSON.parse(m.calls.find((c) => c.method === "POST")!.body) as { at: string };
    expect(body.at).toBe(new Date("2026-12-03T07:15").toISOString());
  });
});
