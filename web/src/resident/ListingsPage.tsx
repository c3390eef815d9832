import { useState } from "preact/hooks";
import { call, type Schemas } from "../api/client";
import { formatNumber, formatVnd } from "../i18n/format";
import { t, useLang } from "../i18n";
import { useAsync } from "../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice } from "../ui/components";
import { codeLabel } from "./labels";
import { BackLink, loadWithOffline, LoadNotices, type ScreenProps } from "./screen";

type Listing = Schemas["ListingOut"];
const KINDS = ["", "service", "tourism", "product"] as const;

/** Local services, tourism and specialty products of the commune; a booking or order request in one form. */
export default function ListingsPage(props: ScreenProps) {
  useLang();
  const id = Number(props.params[0]);
  return props.params[0] && Number.isInteger(id) ? <ListingDetail {...props} id={id} /> : <ListingList {...props} />;
}

function photoUrl(baseUrl: string, l: Listing): string | null {
  return l.photo_ids[0] ? `${baseUrl}/api/v1/public/listings/${l.id}/photos/${l.photo_ids[0]}` : null;
}

function price(l: Listing): string {
  if (l.price_vnd == null) return t("resident.listings.askPrice");
  return l.price_unit ? `${formatVnd(l.price_vnd)} / ${l.price_unit}` : formatVnd(l.price_vnd);
}

function ListingList({ api, baseUrl }: ScreenProps) {
  const [kind, setKind] = useState<(typeof KINDS)[number]>("");
  const listings = useAsync(() => loadWithOffline(api.GET("/api/v1/public/listings", { params: { query: { kind: kind || undefined } } })), [api, kind]);
  const items = listings.data?.data ?? [];
  return (
    <section>
      <h1>{t("resident.listings.title")}</h1>
      <div class="chips" role="group" aria-label={t("resident.listings.kind")}>
        {KINDS.map((k) => (
          <button key={k} type="button" aria-pressed={kind === k} onClick={() => setKind(k)}>
            {k ? codeLabel("resident.listingKind", k) : t("common.all")}
          </button>
        ))}
      </div>
      <LoadNotices state={listings} />
      {listings.loading && !listings.data && <Loading />}
      {listings.data && items.length === 0 && <Empty text={t("resident.listings.empty")} />}
      <ul class="plain cards">
        {items.map((l) => {
          const img = photoUrl(baseUrl, l);
          return (
            <li key={l.id}>
              <a class="card-link listing" href={`#/listings/${l.id}`}>
                {img && <img src={img} alt="" loading="lazy" width={96} height={96} />}
                <span>
                  <strong>{l.title}</strong>
                  <span class="meta">
                    {codeLabel("resident.listingKind", l.kind)} · {price(l)}
                  </span>
                </span>
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function ListingDetail(props: ScreenProps & { id: number }) {
  const { api, baseUrl, id } = props;
  const listing = useAsync(() => loadWithOffline(api.GET("/api/v1/public/listings/{listing_id}", { params: { path: { listing_id: id } } })), [api, id]);
  const l = listing.data?.data;
  return (
    <section>
      <BackLink route="/listings" label={t("resident.listings.title")} />
      <LoadNotices state={listing} />
      {listing.loading && !l && <Loading />}
      {l && (
        <>
          <h1>{l.title}</h1>
          <div class="photos">
            {l.photo_ids.map((p, i) => (
              <img key={p} src={`${baseUrl}/api/v1/public/listings/${l.id}/photos/${p}`} alt={t("resident.myReports.photo", { n: i + 1 })} loading="lazy" />
            ))}
          </div>
          <p class="total">{price(l)}</p>
          {l.description && <p class="prewrap">{l.description}</p>}
          <dl class="facts">
            <dt>{t("resident.listings.contact")}</dt>
            <dd>{l.contact_name}</dd>
          </dl>
          <div class="stack">
            <a class="button" href={`tel:${l.contact_phone}`}>
              {t("resident.contacts.call", { phone: l.contact_phone })}
            </a>
            {l.shop_links.map((s, i) => (
              <a key={i} class="button" href={String(s.url)} target="_blank" rel="noopener">
                {String(s.name)}
              </a>
            ))}
          </div>
          <RequestForm {...props} listing={l} />
        </>
      )}
    </section>
  );
}

function toLocalPhone(username: string | null): string {
  if (!username) return "";
  const p = username.replace(/^\+84/, "0");
  return /^0\d{9,10}$/.test(p) ? p : "";
}

function RequestForm(props: ScreenProps & { listing: Listing }) {
  const l = props.listing;
  const [name, setName] = useState("");
  const [phone, setPhone] = useState(toLocalPhone(props.session.username));
  const [quantity, setQuantity] = useState("1");
  const [startsOn, setStartsOn] = useState("");
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<number | null>(null);
  const booking = l.kind !== "product";
  if (done !== null) return <Notice kind="ok">{t("resident.listings.requested", { id: done })}</Notice>;
  return (
    <form
      class="card"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const ack = await call(
            props.api.POST("/api/v1/public/listings/{listing_id}/requests", {
              params: { path: { listing_id: l.id } },
              body: { name: name.trim(), phone: phone.trim(), quantity: Number(quantity) || 1, starts_on: startsOn || null, note: note.trim(), pay_by_card: false },
            }),
          );
          setDone(ack.id);
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2>{booking ? t("resident.listings.book") : t("resident.listings.order")}</h2>
      <Field label={t("resident.procedures.applicant")} name="name" required maxLength={200} autocomplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      <Field label={t("resident.procedures.phone")} name="phone" type="tel" inputMode="tel" required pattern="(\+84|0)[0-9]{9,10}" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />
      <Field
        label={booking ? t("resident.listings.people") : t("resident.listings.quantity")}
        name="quantity"
        type="number"
        inputMode="numeric"
        min={1}
        max={1000}
        required
        value={quantity}
        onInput={(e) => setQuantity(e.currentTarget.value)}
      />
      {booking && <Field label={t("resident.listings.date")} name="starts_on" type="date" value={startsOn} onInput={(e) => setStartsOn(e.currentTarget.value)} />}
      <Field label={t("resident.listings.note")} name="note" maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      {l.price_vnd != null && Number(quantity) > 0 && <p>{t("resident.listings.estimate", { amount: formatVnd(l.price_vnd * Number(quantity)), quantity: formatNumber(Number(quantity)) })}</p>}
      <ErrorNotice error={error} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t("resident.report.sending") : t("resident.listings.send")}
      </button>
    </form>
  );
}
