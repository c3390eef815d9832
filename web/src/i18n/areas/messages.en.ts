export const messagesEn = {
  "resident.appStatus.delivered": "Result received",
  "resident.applications.openFile": "Open the file {name}",
};
