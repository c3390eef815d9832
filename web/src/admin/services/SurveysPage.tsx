import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t, useLang } from "../../i18n";
import { formatDateTime, formatNumber } from "../../i18n/format";
import { useRoute } from "../../lib/router";
import { useAsync } from "../../lib/useAsync";
import { Empty, ErrorNotice, Loading, Notice } from "../../ui/components";
import { Bars, Section, codeLabel, reloadAfterWrite, useAction } from "../people/shared";
import { SurveyBuilder } from "./SurveyBuilder";

type Survey = Schemas["SurveyOut"];
type QuestionResult = Schemas["QuestionResult"];

/** Surveys: the list with response counts, the builder, and each survey's results with charts and CSV. */
export function SurveysPage({ api }: { api: Api }) {
  useLang();
  const route = useRoute();
  const id = /^\/surveys\/(\d+)/.exec(route)?.[1];
  if (id) return <SurveyResultsView api={api} id={Number(id)} />;
  return <SurveyList api={api} />;
}

function SurveyList({ api }: { api: Api }) {
  const list = useAsync(() => call(api.GET("/api/v1/surveys", { params: { query: { limit: 100 } } })), [api]);
  const villages = useAsync(() => call(api.GET("/api/v1/villages")), [api]);
  const [building, setBuilding] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <Section
      title={t("adminPeople.surveys.title")}
      actions={
        <button type="button" class="primary" disabled={building} onClick={() => setBuilding(true)}>
          {t("adminPeople.surveys.new")}
        </button>
      }
    >
      {message && <Notice kind="ok">{message}</Notice>}
      {building && (
        <SurveyBuilder
          api={api}
          villages={villages.data ?? []}
          onDone={(s) => {
            setBuilding(false);
            if (s) {
              setMessage(t("adminPeople.surveys.published", { title: s.title }));
              reloadAfterWrite(list.reload);
            }
          }}
        />
      )}
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.length === 0 && <Empty />}
      {list.data && list.data.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th>{t("adminPeople.surveys.titleField")}</th>
              <th>{t("adminPeople.surveys.status")}</th>
              <th>{t("adminPeople.surveys.window")}</th>
              <th>{t("adminPeople.surveys.responses")}</th>
              <th>{t("common.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((s) => (
              <tr key={s.id}>
                <td data-label={t("adminPeople.surveys.titleField")}>
                  <strong>{s.title}</strong>
                  <div class="muted">{t("adminPeople.surveys.questionCount", { count: s.questions.length })}</div>
                </td>
                <td data-label={t("adminPeople.surveys.status")}>
                  <span class={`badge ap-st-${s.status}`}>{codeLabel("adminPeople.surveys.state", s.status)}</span>
                </td>
                <td data-label={t("adminPeople.surveys.window")}>
                  {t("adminPeople.surveys.windowValue", { from: formatDateTime(s.opens_at), to: formatDateTime(s.closes_at) })}
                </td>
                <td data-label={t("adminPeople.surveys.responses")} class="num">
                  {formatNumber(s.responses ?? 0)}
                </td>
                <td>
                  <div class="row">
                    <a href={`#/surveys/${s.id}`} aria-label={t("adminPeople.surveys.resultsOf", { title: s.title })}>
                      {t("adminPeople.surveys.results")}
                    </a>
                    <CloseSurvey
                      api={api}
                      survey={s}
                      onClosed={(closed) => {
                        setMessage(t("adminPeople.surveys.closed", { title: closed.title }));
                        reloadAfterWrite(list.reload);
                      }}
                    />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

/**
 * Close a survey now (it stops taking responses; results stay). Asks once more before doing it, since a
 * closed survey cannot be reopened.
 */
export function CloseSurvey(props: { api: Api; survey: Survey; onClosed: (survey: Survey) => void }) {
  const { survey } = props;
  const [confirming, setConfirming] = useState(false);
  const act = useAction();
  if (survey.status === "closed") return null;

  async function close() {
    const closed = await act.run(() => call(props.api.POST("/api/v1/surveys/{survey_id}/close", { params: { path: { survey_id: survey.id } } })));
    setConfirming(false);
    if (closed) props.onClosed(closed);
  }

  return (
    <>
      <ErrorNotice error={act.error} />
      {confirming ? (
        <>
          <button type="button" class="danger" disabled={act.busy} onClick={() => void close()}>
            {t("adminPeople.surveys.closeConfirm", { title: survey.title })}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            {t("common.cancel")}
          </button>
        </>
      ) : (
        <button type="button" onClick={() => setConfirming(true)} aria-label={t("adminPeople.surveys.closeOf", { title: survey.title })}>
          {t("adminPeople.surveys.close")}
        </button>
      )}
    </>
  );
}

function SurveyResultsView({ api, id }: { api: Api; id: number }) {
  const data = useAsync(async () => {
    const path = { params: { path: { survey_id: id } } };
    const [survey, results] = await Promise.all([call(api.GET("/api/v1/surveys/{survey_id}", path)), call(api.GET("/api/v1/surveys/{survey_id}/results", path))]);
    return { survey, results };
  }, [api, id]);
  const csv = useAction();

  async function download(survey: Survey) {
    const blob = await csv.run(() => call(api.GET("/api/v1/surveys/{survey_id}/results.csv", { params: { path: { survey_id: id } }, parseAs: "blob" })));
    if (!blob) return;
    const url = URL.createObjectURL(blob as Blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = `${survey.title}.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  return (
    <section>
      <a href="#/surveys">{t("adminPeople.surveys.back")}</a>
      <ErrorNotice error={data.error} onRetry={data.reload} />
      {data.loading && !data.data && <Loading />}
      {data.data && (
        <>
          <div class="spread">
            <h1>{data.data.survey.title}</h1>
            <div class="row">
              <CloseSurvey api={api} survey={data.data.survey} onClosed={data.reload} />
              <button type="button" disabled={csv.busy} onClick={() => void download(data.data!.survey)}>
                {t("adminPeople.surveys.csv")}
              </button>
            </div>
          </div>
          <ErrorNotice error={csv.error} />
          <p class="muted">
            {t("adminPeople.surveys.summary", {
              count: formatNumber(data.data.results.responses),
              state: codeLabel("adminPeople.surveys.state", data.data.survey.status),
              to: formatDateTime(data.data.survey.closes_at),
            })}
          </p>
          {data.data.results.questions.map((q) => (
            <QuestionChart key={q.question_id} q={q} />
          ))}
        </>
      )}
    </section>
  );
}

const asRows = (options: Record<string, unknown>[] | null | undefined) =>
  (options ?? []).map((o) => ({ label: String(o.label ?? ""), count: Number(o.count ?? 0), percent: Number(o.percent ?? 0) }));

export function QuestionChart({ q }: { q: QuestionResult }) {
  const num = (v: unknown) => (typeof v === "number" ? formatNumber(v) : String(v ?? "—"));
  return (
    <div class="card">
      <h2>{`${q.position}. ${q.prompt}`}</h2>
      <p class="muted">
        {t("adminPeople.surveys.answered", { count: formatNumber(q.answered), kind: codeLabel("adminPeople.surveys.kind", q.kind) })}
      </p>
      {q.options && <Bars rows={asRows(q.options)} caption={q.prompt} />}
      {q.average != null && <p>{t("adminPeople.surveys.average", { avg: num(q.average), min: num(q.minimum), max: num(q.maximum) })}</p>}
      {q.kind === "date" && q.minimum != null && <p>{t("adminPeople.surveys.dateRange", { min: num(q.minimum), max: num(q.maximum) })}</p>}
      {q.matrix?.map((row, i) => (
        <div key={i}>
          <h3>{String(row.label ?? "")}</h3>
          <Bars rows={asRows(row.options as Record<string, unknown>[])} caption={String(row.label ?? "")} />
        </div>
      ))}
      {q.samples && q.samples.length > 0 && (
        <ul>
          {q.samples.map((s, i) => (
            <li key={i} class="pre">
              {s}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
