import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setLang } from "../i18n";
import { json, mockFetch } from "../test/helpers";
import ApplicationsPage from "./ApplicationsPage";
import ProceduresPage from "./ProceduresPage";
import { formOf, photoFile, screenProps, useNodeBlobs } from "./test-support";

const proc = (over: Record<string, unknown>) => ({
  id: 1, code: "khai-sinh", name: "Đăng ký khai sinh", field: "Hộ tịch", required_documents: ["Giấy chứng sinh", "CCCD của cha hoặc mẹ"], fee_vnd: 0,
  fee_note: "", processing_days: 1, legal_basis: "Luật Hộ tịch 2014", mode: "online", active: true, ...over,
});
const CATALOGUE = [proc({}), proc({ id: 2, name: "Chứng thực bản sao", field: "Chứng thực", mode: "in_person", fee_vnd: 2000 })];
const APP = {
  id: 9, procedure_id: 1, applicant_name: "Nguyễn Văn A", applicant_phone: "+84912000001", details: "Khai sinh cho con", status: "processing",
  due_date: "2026-11-24", overdue: false, submitted_at: "2026-11-21T02:00:00Z", decided_at: null, ready_at: null, updated_at: "2026-11-21T03:00:00Z",
};

beforeAll(useNodeBlobs);
beforeEach(() => {
  setLang("vi");
  location.hash = "";
});
afterEach(cleanup);

describe("procedures", () => {
  it("lists the catalogue and finds a procedure by name", async () => {
    const m = mockFetch({ "GET /api/v1/public/procedures": () => CATALOGUE });
    render(<ProceduresPage {...screenProps(m.fetch)} />);
    expect(await screen.findByRole("link", { name: /Đăng ký khai sinh/ })).toBeTruthy();
    fireEvent.input(screen.getByLabelText("Tìm kiếm"), { target: { value: "chứng thực" } });
    await waitFor(() => expect(screen.queryByRole("link", { name: /Đăng ký khai sinh/ })).toBeNull());
    expect(screen.getByRole("link", { name: /Chứng thực bản sao/ }).getAttribute("href")).toBe("#/procedures/2");
  });

  it("submits an application with its documents and opens it", async () => {
    const m = mockFetch({ "GET /api/v1/public/procedures": () => CATALOGUE, "POST /api/v1/applications": () => json(APP, 201) });
    render(<ProceduresPage {...screenProps(m.fetch, ["1"])} />);
    expect(await screen.findByText("Giấy chứng sinh")).toBeTruthy();
    expect(screen.getByText("Miễn phí")).toBeTruthy();
    expect((screen.getByLabelText("Số điện thoại") as HTMLInputElement).value).toBe("0912 000 001");
    fireEvent.input(screen.getByLabelText("Họ và tên"), { target: { value: "Nguyễn Văn A" } });
    fireEvent.input(screen.getByLabelText("Nội dung đề nghị"), { target: { value: "Khai sinh cho con" } });
    fireEvent.change(screen.getByLabelText("Giấy tờ đính kèm (ảnh hoặc PDF)"), { target: { files: [photoFile(1000, "giay-chung-sinh.jpg")] } });
    fireEvent.click(screen.getByRole("button", { name: "Nộp hồ sơ" }));
    await waitFor(() => expect(location.hash).toBe("#/applications/9"));
    const post = m.calls.find((c) => c.method === "POST")!;
    const form = await formOf(post.body, post.headers.get("content-type"));
    expect(form.get("procedure_id")).toBe("1");
    expect(form.get("applicant_name")).toBe("Nguyễn Văn A");
    expect(form.get("applicant_phone")).toBe("0912 000 001");
    expect((form.get("files") as File).name).toBe("giay-chung-sinh.jpg");
  });

  it("says when a procedure is filed in person only", async () => {
    const m = mockFetch({ "GET /api/v1/public/procedures": () => CATALOGUE });
    render(<ProceduresPage {...screenProps(m.fetch, ["2"])} />);
    expect(await screen.findByText("Thủ tục này chỉ nộp trực tiếp tại bộ phận một cửa của xã.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Nộp hồ sơ" })).toBeNull();
  });
});

describe("my applications", () => {
  it("lists my applications and shows one's status history", async () => {
    const m = mockFetch({
      "GET /api/v1/public/procedures": () => CATALOGUE,
      "GET /api/v1/applications": () => [APP],
      "GET /api/v1/applications/9": () => ({
        ...APP,
        attachments: [{ id: 1, label: "giay-chung-sinh.jpg", added_by: "+84912000001", created_at: "2026-11-21T02:00:00Z" }],
        history: [
          { id: 1, from_status: null, to_status: "received", note: "", actor: "+84912000001", created_at: "2026-11-21T02:00:00Z" },
          { id: 2, from_status: "received", to_status: "processing", note: "Đang thẩm định", actor: "canbo", created_at: "2026-11-21T03:00:00Z" },
        ],
      }),
    });
    render(<ApplicationsPage {...screenProps(m.fetch)} />);
    const link = await screen.findByRole("link", { name: /Đăng ký khai sinh/ });
    expect(link.textContent).toContain("Đang giải quyết");
    cleanup();
    render(<ApplicationsPage {...screenProps(m.fetch, ["9"])} />);
    expect(await screen.findByText("Chuyển sang: Đã tiếp nhận")).toBeTruthy();
    expect(screen.getByText("Chuyển sang: Đang giải quyết")).toBeTruthy();
    expect(screen.getByText("Đang thẩm định")).toBeTruthy();
    expect(screen.getByText("1 tệp đính kèm")).toBeTruthy();
  });

  it("opens my own attachment with my session", async () => {
    const m = mockFetch({
      "GET /api/v1/public/procedures": () => CATALOGUE,
      "GET /api/v1/applications/9": () => ({
        ...APP,
        attachments: [{ id: 3, label: "cccd.pdf", added_by: "+84912000001", created_at: "2026-11-21T02:00:00Z" }],
        history: [],
      }),
      "GET /api/v1/applications/9/files/3": () => new Response("%PDF", { headers: { "content-type": "application/pdf" } }),
    });
    const opened: { location: { href: string } } = { location: { href: "" } };
    window.open = (() => opened) as unknown as typeof window.open;
    URL.createObjectURL = () => "blob:cccd";
    URL.revokeObjectURL = () => undefined;
    render(<ApplicationsPage {...screenProps(m.fetch, ["9"])} />);
    fireEvent.click(await screen.findByRole("button", { name: "Mở tệp cccd.pdf" }));
    await waitFor(() => expect(opened.location.href).toBe("blob:cccd"));
    expect(m.calls.find((c) => c.url.pathname.endsWith("/files/3"))!.headers.get("authorization")).toMatch(/^Bearer /);
  });

  it("sends the documents the commune asked for", async () => {
    let status = "needs_info";
    const m = mockFetch({
      "GET /api/v1/public/procedures": () => CATALOGUE,
      "GET /api/v1/applications/9": () => ({ ...APP, status, attachments: [], history: [] }),
      "POST /api/v1/applications/9/supplement": () => {
        status = "processing";
        return { ...APP, status };
      },
    });
    render(<ApplicationsPage {...screenProps(m.fetch, ["9"])} />);
    fireEvent.input(await screen.findByLabelText("Ghi chú gửi xã"), { target: { value: "Đã chụp giấy chứng sinh" } });
    fireEvent.change(screen.getByLabelText("Giấy tờ đính kèm (ảnh hoặc PDF)"), { target: { files: [photoFile(700, "gcs.jpg")] } });
    fireEvent.click(screen.getByRole("button", { name: "Gửi bổ sung" }));
    expect(await screen.findByText("Đang giải quyết")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Gửi bổ sung" })).toBeNull();
    const post = m.calls.find((c) => c.method === "POST")!;
    const form = await formOf(post.body, post.headers.get("content-type"));
    expect(form.get("note")).toBe("Đã chụp giấy chứng sinh");
    expect((form.get("files") as File).name).toBe("gcs.jpg");
  });
});
