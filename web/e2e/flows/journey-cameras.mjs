// Cameras of a commune through the consoles alone (issues 14 and 16), in the demo commune Cam Lộ: the commune
// admin requests a camera site network (a loopback range is refused with a clear Vietnamese message), provider
// staff approve it in the provider console, the admin adds a camera pointing at the living MJPEG simulator
// (E2E_CAMERA_URL; the platform allows exactly its host:port through DEV_CAMERA_URLS) with its location, and sees
// it online after the automatic first check, with its snapshot; a camera URL on the platform's own loopback is
// refused with a clear Vietnamese message. axe on every screen.
import { adminSignIn, BASE, CAM_LO, checkA11y, DESKTOP, newContext, newPage, providerSignIn, shot, step } from "../lib.mjs";

export const title = "a commune admin gets a camera site network approved and adds a camera that comes online by itself";

const NETWORK = "10.20.30.0/24";
const CAMERA = "Camera chợ Cam Lộ";

export async function run(browser) {
  const cameraUrl = process.env.E2E_CAMERA_URL;
  if (!cameraUrl) throw new Error("E2E_CAMERA_URL (the MJPEG simulator tests/web/test_e2e.py starts) is required");
  const admin = await newPage(await newContext(browser, DESKTOP));
  step("the commune admin opens the camera site networks");
  await adminSignIn(admin, CAM_LO);
  await admin.goto(`${BASE}/t/${CAM_LO.slug}/app/admin/#/operations/networks`);
  await admin.getByRole("heading", { name: "Mạng nội bộ camera" }).waitFor();
  await admin.getByText("Chưa có mạng nội bộ nào được duyệt").waitFor();
  await checkA11y(admin, "cameras-networks");

  step("loopback as a site network is refused in Vietnamese");
  await admin.getByLabel("Dải mạng (CIDR)").fill("127.0.0.0/8");
  await admin.getByRole("button", { name: "Gửi yêu cầu duyệt" }).click();
  await admin.getByText("Không thể dùng 127.0.0.0/8 làm mạng nội bộ camera", { exact: false }).waitFor();

  step(`request ${NETWORK}`);
  await admin.getByLabel("Dải mạng (CIDR)").fill(NETWORK);
  await admin.getByLabel("Ghi chú (nơi đặt, nhà mạng)").fill("Mạng camera chợ và UBND xã");
  await admin.getByRole("button", { name: "Gửi yêu cầu duyệt" }).click();
  await admin.getByText(`Đã gửi yêu cầu duyệt ${NETWORK}`, { exact: false }).waitFor();
  await admin.getByRole("listitem", { name: NETWORK }).getByText("Chờ duyệt").waitFor();

  step("provider staff approve it in the provider console");
  const provider = await newPage(await newContext(browser, DESKTOP));
  await providerSignIn(provider);
  await provider.getByRole("link", { name: "Mạng camera" }).click();
  await provider.getByRole("heading", { name: "Yêu cầu mạng nội bộ camera" }).waitFor();
  await checkA11y(provider, "cameras-provider-requests");
  await provider.getByRole("button", { name: `Duyệt ${NETWORK} cho ${CAM_LO.name}` }).click();
  await provider.getByText(`Đã duyệt ${NETWORK} cho ${CAM_LO.name}.`).waitFor();
  await shot(provider, "cameras-provider-approved");

  step("the admin sees it approved");
  await admin.reload();
  await admin.getByRole("listitem", { name: NETWORK }).getByText("Đã duyệt").waitFor();
  await admin.getByRole("button", { name: `Bỏ dải mạng ${NETWORK}` }).waitFor();

  step("add a camera at the living simulator, with its location");
  await admin.goto(`${BASE}/t/${CAM_LO.slug}/app/admin/#/operations`);
  await admin.getByRole("button", { name: "Thêm camera" }).click();
  const form = admin.getByRole("form", { name: "Thêm camera" });
  await form.getByText("Ví dụ rtsp://10.20.30.10:554/stream1", { exact: false }).waitFor(); // the example is valid
  await form.getByLabel("Tên camera").fill(CAMERA);
  await form.getByLabel("Vị trí").fill("Cổng chợ Cam Lộ");
  await form.getByLabel("Vĩ độ").fill("16.8105");
  await form.getByLabel("Kinh độ").fill("107.0602");
  await form.getByLabel("Địa chỉ luồng video (RTSP/HTTP)").fill(cameraUrl);
  await checkA11y(admin, "cameras-form");
  await form.getByRole("button", { name: "Lưu" }).click();

  step("the first check runs by itself: online, with a snapshot");
  await admin.getByText(`Kiểm tra lần đầu: camera ${CAMERA} trực tuyến.`).waitFor({ timeout: 45000 });
  const tile = admin.getByRole("listitem", { name: CAMERA });
  await tile.getByText("Trực tuyến").waitFor();
  await tile.getByRole("img", { name: `Hình xem trước của camera ${CAMERA}` }).waitFor();
  await checkA11y(admin, "cameras-wall");
  await shot(admin, "cameras-online");

  step("a camera on the platform's own loopback is refused in Vietnamese");
  await admin.getByRole("button", { name: "Thêm camera" }).click();
  const again = admin.getByRole("form", { name: "Thêm camera" });
  await again.getByLabel("Tên camera").fill("Camera thử loopback");
  await again.getByLabel("Địa chỉ luồng video (RTSP/HTTP)").fill("http://127.0.0.1:5432/");
  await again.getByRole("button", { name: "Lưu" }).click();
  await again.getByText("Không thể dùng địa chỉ camera này: đây là chính máy chủ của nền tảng (loopback)", { exact: false }).waitFor();
  await checkA11y(admin, "cameras-loopback-refused");
}
