// Vietnamese strings about the commune's public presence shown in the web apps (the public pages themselves are
// server-rendered: platform/smartcommune/platform/public_site/strings.py).
export const publicSiteVi = {
  "publicSite.reportsPublicAfter": "Phản ánh mới được công khai (danh sách, bản đồ, Open311)",
  "publicSite.reportsPublicAfter.accepted": "Sau khi xã tiếp nhận (khuyến nghị)",
  "publicSite.reportsPublicAfter.submitted": "Ngay khi người dân gửi",
  "publicSite.reportsPublicAfterHint": "Phản ánh chưa được tiếp nhận có thể chứa thông tin sai hoặc riêng tư.",
  "publicSite.open": "Trang thông tin công khai của xã",
} as const;
