// Vietnamese strings of the shared map picker (web/src/ui/MapPicker.tsx), loaded by the picker itself.
export const mapPickerVi = {
  "mapPicker.lat": "Vĩ độ",
  "mapPicker.lng": "Kinh độ",
  "mapPicker.hint": "Bấm vào bản đồ để chọn vị trí, hoặc nhập toạ độ (ví dụ 16,8012 và 107,0021).",
  "mapPicker.map": "Bản đồ chọn vị trí",
  "mapPicker.noTiles": "Không tải được bản đồ nền; vẫn có thể nhập toạ độ.",
  "mapPicker.noMap": "Không mở được bản đồ; hãy nhập toạ độ.",
  "mapPicker.clear": "Xoá vị trí",
  "mapPicker.invalid": "Toạ độ không hợp lệ: vĩ độ từ -90 đến 90, kinh độ từ -180 đến 180.",
  "mapPicker.attribution": "© Người đóng góp OpenStreetMap",
} as const;
