import { fireEvent, render, screen } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import { setLang } from "../i18n";
import { MapPicker, formatCoordinate, parseCoordinate } from "./MapPicker";

describe("MapPicker", () => {
  it("parses dot and comma decimals and refuses the rest", () => {
    expect(parseCoordinate("16,8012")).toBe(16.8012);
    expect(parseCoordinate(" 107.0021 ")).toBe(107.0021);
    expect(parseCoordinate("abc")).toBeNull();
    expect(formatCoordinate(16.8, "vi")).toBe("16,8");
    expect(formatCoordinate(16.8, "en")).toBe("16.8");
  });

  it("works on typed coordinates without a map", () => {
    setLang("vi");
    const onChange = vi.fn();
    render(<MapPicker value={null} onChange={onChange} noMap />);
    fireEvent.input(screen.getByLabelText("Vĩ độ"), { target: { value: "16,8012" } });
    fireEvent.input(screen.getByLabelText("Kinh độ"), { target: { value: "107,0021" } });
    expect(onChange).toHaveBeenLastCalledWith({ lat: 16.8012, lng: 107.0021 });
    fireEvent.input(screen.getByLabelText("Vĩ độ"), { target: { value: "99" } });
    expect(screen.getByRole("alert").textContent).toContain("Toạ độ không hợp lệ");
  });
});
