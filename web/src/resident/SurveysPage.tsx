import { useId, useState } from "preact/hooks";
import { ApiError, call, type Schemas } from "../api/client";
import { formatDate } from "../i18n/format";
import { getLang, t, useLang } from "../i18n";
import { useAsync } from "../lib/useAsync";
import { Empty, ErrorNotice, Loading, Notice } from "../ui/components";
import { bilingual } from "./labels";
import { BackLink, loadWithOffline, LoadNotices, type ScreenProps } from "./screen";

type Question = Schemas["QuestionOut"];
type Answers = Record<number, unknown>;

export default function SurveysPage(props: ScreenProps) {
  useLang();
  const id = Number(props.params[0]);
  return props.params[0] && Number.isInteger(id) ? <SurveyForm {...props} id={id} /> : <SurveyList {...props} />;
}

function SurveyList({ api }: ScreenProps) {
  const surveys = useAsync(() => loadWithOffline(api.GET("/api/v1/surveys", { params: { query: { limit: 50 } } })), [api]);
  const open = (surveys.data?.data ?? []).filter((s) => s.status === "open");
  return (
    <section>
      <h1>{t("resident.surveys.title")}</h1>
      <LoadNotices state={surveys} />
      {surveys.loading && !surveys.data && <Loading />}
      {surveys.data && open.length === 0 && <Empty text={t("resident.surveys.empty")} />}
      <ul class="plain cards">
        {open.map((s) => (
          <li key={s.id}>
            <a class="card-link" href={`#/surveys/${s.id}`}>
              <span class="spread">
                <strong>{s.title}</strong>
                {s.responded ? <span class="badge active">{t("resident.surveys.answered")}</span> : <span class="badge">{t("resident.surveys.open")}</span>}
              </span>
              <span class="meta">{t("resident.surveys.closes", { date: formatDate(s.closes_at) })}</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

function SurveyForm(props: ScreenProps & { id: number }) {
  const { api, id } = props;
  const survey = useAsync(() => loadWithOffline(api.GET("/api/v1/surveys/{survey_id}", { params: { path: { survey_id: id } } })), [api, id]);
  const [answers, setAnswers] = useState<Answers>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState(false);
  const s = survey.data?.data;
  const problems = problemsOf(error);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = Object.fromEntries(Object.entries(answers).filter(([, v]) => v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0)));
      await call(api.POST("/api/v1/surveys/{survey_id}/responses", { params: { path: { survey_id: id } }, body: { answers: body } }));
      setSent(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <BackLink route="/surveys" label={t("resident.surveys.title")} />
      <LoadNotices state={survey} />
      {survey.loading && !s && <Loading />}
      {s && (
        <>
          <h1>{s.title}</h1>
          {s.description && <p class="prewrap">{s.description}</p>}
          {s.anonymous && <p class="muted">{t("resident.surveys.anonymous")}</p>}
          {sent || s.responded ? (
            <Notice kind="ok">{t("resident.surveys.thanks")}</Notice>
          ) : s.status !== "open" ? (
            <Notice kind="info">{t("resident.surveys.notOpen")}</Notice>
          ) : (
            <form class="card" onSubmit={submit}>
              {s.questions.map((q) => (
                <QuestionField key={q.id} q={q} value={answers[q.id]} problem={problems.get(q.id)} onChange={(v) => setAnswers((a) => ({ ...a, [q.id]: v }))} />
              ))}
              <ErrorNotice error={error} />
              <button type="submit" class="primary" disabled={busy}>
                {busy ? t("resident.report.sending") : t("resident.surveys.submit")}
              </button>
            </form>
          )}
        </>
      )}
    </section>
  );
}

function problemsOf(error: unknown): Map<number, string> {
  const out = new Map<number, string>();
  if (!(error instanceof ApiError)) return out;
  const list = (error.details as { problems?: { question_id: number; problem: string }[] } | undefined)?.problems ?? [];
  for (const p of list) out.set(p.question_id, bilingual(p.problem, getLang()));
  return out;
}

function QuestionField({ q, value, problem, onChange }: { q: Question; value: unknown; problem?: string; onChange: (v: unknown) => void }) {
  const id = useId();
  const cfg = q.config as { choices?: string[]; min?: number | null; max?: number | null; min_label?: string; max_label?: string; rows?: string[]; columns?: string[] };
  const label = q.required ? t("resident.surveys.required", { prompt: q.prompt }) : q.prompt;
  const err = problem && (
    <small class="problem" role="alert">
      {problem}
    </small>
  );
  switch (q.kind) {
    case "short_text":
    case "long_text":
    case "number":
    case "date": {
      const common = { id, name: `q${q.id}`, required: q.required, "aria-invalid": problem ? true : undefined };
      return (
        <div class="field">
          <label for={id}>{label}</label>
          {q.kind === "long_text" ? (
            <textarea {...common} rows={4} maxLength={4000} value={(value as string) ?? ""} onInput={(e) => onChange(e.currentTarget.value)} />
          ) : q.kind === "number" ? (
            <input
              {...common}
              type="number"
              inputMode="decimal"
              step="any"
              min={cfg.min ?? undefined}
              max={cfg.max ?? undefined}
              value={value === undefined ? "" : String(value)}
              onInput={(e) => onChange(e.currentTarget.value === "" ? undefined : Number(e.currentTarget.value))}
            />
          ) : (
            <input {...common} type={q.kind === "date" ? "date" : "text"} maxLength={500} value={(value as string) ?? ""} onInput={(e) => onChange(e.currentTarget.value)} />
          )}
          {err}
        </div>
      );
    }
    case "single_choice":
    case "multiple_choice": {
      const multi = q.kind === "multiple_choice";
      const picked = multi ? ((value as number[]) ?? []) : [];
      return (
        <fieldset class="field choices">
          <legend>{label}</legend>
          {(cfg.choices ?? []).map((c, i) => (
            <label key={i} class="choice">
              <input
                type={multi ? "checkbox" : "radio"}
                name={`q${q.id}`}
                checked={multi ? picked.includes(i) : value === i}
                required={!multi && q.required}
                onChange={(e) => onChange(multi ? (e.currentTarget.checked ? [...picked, i] : picked.filter((p) => p !== i)) : i)}
              />
              <span>{c}</span>
            </label>
          ))}
          {err}
        </fieldset>
      );
    }
    case "rating": {
      const lo = cfg.min ?? 1;
      const hi = cfg.max ?? 5;
      return (
        <fieldset class="field scale">
          <legend>{label}</legend>
          {Array.from({ length: hi - lo + 1 }, (_, k) => lo + k).map((n) => (
            <label key={n}>
              <input type="radio" name={`q${q.id}`} required={q.required} checked={value === n} onChange={() => onChange(n)} />
              <span>{n}</span>
            </label>
          ))}
          {(cfg.min_label || cfg.max_label) && (
            <p class="scale-ends">
              <span>{cfg.min_label ? `${lo} = ${cfg.min_label}` : ""}</span>
              <span>{cfg.max_label ? `${hi} = ${cfg.max_label}` : ""}</span>
            </p>
          )}
          {err}
        </fieldset>
      );
    }
    case "matrix": {
      const grid = (value as Record<string, number>) ?? {};
      return (
        <fieldset class="field matrix">
          <legend>{label}</legend>
          {(cfg.rows ?? []).map((row, r) => (
            <fieldset key={r} class="choices">
              <legend>{row}</legend>
              {(cfg.columns ?? []).map((col, c) => (
                <label key={c} class="choice">
                  <input type="radio" name={`q${q.id}-${r}`} required={q.required} checked={grid[r] === c} onChange={() => onChange({ ...grid, [r]: c })} />
                  <span>{col}</span>
                </label>
              ))}
            </fieldset>
          ))}
          {err}
        </fieldset>
      );
    }
    default:
      return null;
  }
}
