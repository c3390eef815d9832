// Vietnamese strings of inbox messages and alarms (shown by both the admin console and the resident app),
// and statuses those messages name.
export const messagesVi = {
  "resident.appStatus.delivered": "Đã nhận kết quả",
  "resident.applications.openFile": "Mở tệp {name}",
} as const;
