import { type Api, type Schemas } from "../../api/client";
import { t } from "../../i18n";
import { formatDate, formatNumber } from "../../i18n/format";
import { ErrorNotice } from "../../ui/components";
import { blobOf, label, useBlobUrl } from "../operations/shared";

type Lot = Schemas["LotOut"];

/** A print-friendly sheet of lot labels, each with the platform's QR (GS1 Digital Link) as SVG. */
export function QrSheet(props: { api: Api; lots: Lot[]; farmName: (id: number) => string; onClose: () => void }) {
  return (
    <div class="qr-sheet" role="region" aria-label={t("adminOps.prod.qrSheet")}>
      <div class="row no-print">
        <button type="button" class="primary" onClick={() => window.print()}>
          {t("adminOps.prod.print")}
        </button>
        <button type="button" onClick={props.onClose}>
          {t("adminOps.prod.closeSheet")}
        </button>
      </div>
      <ul class="plain qr-grid">
        {props.lots.map((lot) => (
          <QrLabel key={lot.id} api={props.api} lot={lot} farm={props.farmName(lot.farm_id)} />
        ))}
      </ul>
    </div>
  );
}

function QrLabel(props: { api: Api; lot: Lot; farm: string }) {
  const { api, lot } = props;
  const qr = useBlobUrl(
    () => blobOf(api.GET("/api/v1/production/lots/{lot_id}/qr.{fmt}", { params: { path: { lot_id: lot.id, fmt: "svg" } }, parseAs: "blob" })),
    [api, lot.id],
  );
  return (
    <li class="qr-label">
      {qr.url ? <img src={qr.url} alt={t("adminOps.prod.qrOf", { code: lot.code })} width={160} height={160} /> : <ErrorNotice error={qr.error} />}
      <strong>{lot.product_name}</strong>
      <span>{lot.code}</span>
      <span>
        {formatNumber(Number(lot.quantity))} {label("adminOps.unit", lot.unit)} · {formatDate(lot.produced_at)}
      </span>
      <span>{props.farm}</span>
    </li>
  );
}
