// Vietnamese strings of the catalogue screens (devices and profiles, rules' parameters, listings, contacts,
// library, criteria targets) and the shared date field.
export const catalogueVi = {
  "catalogue.date.hint": "Ngày/tháng/năm, ví dụ {example}",
  "catalogue.dateTime.hint": "Ngày/tháng/năm giờ:phút, ví dụ {example}",
  "catalogue.date.invalid": "Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm.",
  "catalogue.dateTime.invalid": "Ngày giờ không hợp lệ: nhập theo dạng ngày/tháng/năm giờ:phút.",
  "catalogue.date.placeholder": "nn/tt/nnnn",
  "catalogue.dateTime.placeholder": "nn/tt/nnnn gg:pp",
} as const;
