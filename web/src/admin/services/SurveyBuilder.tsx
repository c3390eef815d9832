import { useState } from "preact/hooks";
import { call, type Api, type Schemas } from "../../api/client";
import { t } from "../../i18n";
import { ErrorNotice, Field, SelectField } from "../../ui/components";
import { Check, CheckGroup, TextArea, codeLabel, localToIso, useAction } from "../people/shared";

type Kind = Schemas["QuestionIn"]["kind"];
export const QUESTION_KINDS: Kind[] = ["short_text", "long_text", "single_choice", "multiple_choice", "rating", "number", "date", "matrix"];

interface Draft {
  key: number;
  kind: Kind;
  prompt: string;
  required: boolean;
  choices: string; // one per line
  scaleMin: string;
  scaleMax: string;
  minLabel: string;
  maxLabel: string;
  min: string;
  max: string;
  rows: string;
  columns: string;
}

let nextKey = 1;
const blank = (kind: Kind = "single_choice"): Draft => ({
  key: nextKey++,
  kind,
  prompt: "",
  required: false,
  choices: "",
  scaleMin: "1",
  scaleMax: "5",
  minLabel: "",
  maxLabel: "",
  min: "",
  max: "",
  rows: "",
  columns: "",
});
const lines = (s: string) => s.split("\n").map((l) => l.trim()).filter(Boolean);
const numOrNull = (s: string) => (s.trim() === "" ? null : Number(s));

/** The API's question shape from a draft: only the settings its kind uses. */
export function toQuestion(d: Draft): Schemas["QuestionIn"] {
  const q: Schemas["QuestionIn"] = { kind: d.kind, prompt: d.prompt.trim(), required: d.required };
  if (d.kind === "single_choice" || d.kind === "multiple_choice") q.choices = lines(d.choices);
  if (d.kind === "rating")
    Object.assign(q, {
      scale_min: numOrNull(d.scaleMin),
      scale_max: numOrNull(d.scaleMax),
      scale_min_label: d.minLabel.trim() || null,
      scale_max_label: d.maxLabel.trim() || null,
    });
  if (d.kind === "number") Object.assign(q, { min: numOrNull(d.min), max: numOrNull(d.max) });
  if (d.kind === "matrix") Object.assign(q, { rows: lines(d.rows), columns: lines(d.columns) });
  return q;
}

export function SurveyBuilder(props: { api: Api; villages: Schemas["VillageOut"][]; onDone: (s: Schemas["SurveyOut"] | null) => void }) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [opensAt, setOpensAt] = useState("");
  const [closesAt, setClosesAt] = useState("");
  const [anonymous, setAnonymous] = useState(false);
  const [whole, setWhole] = useState(true);
  const [villageIds, setVillageIds] = useState<string[]>([]);
  const [questions, setQuestions] = useState<Draft[]>(() => [blank()]);
  const publish = useAction();

  const update = (key: number, patch: Partial<Draft>) => setQuestions(questions.map((q) => (q.key === key ? { ...q, ...patch } : q)));
  const move = (i: number, by: number) => {
    const next = [...questions];
    const [q] = next.splice(i, 1);
    next.splice(i + by, 0, q);
    setQuestions(next);
  };

  async function submit(e: Event) {
    e.preventDefault();
    const created = await publish.run(() =>
      call(
        props.api.POST("/api/v1/surveys", {
          body: {
            title: title.trim(),
            description: description.trim(),
            opens_at: localToIso(opensAt),
            closes_at: localToIso(closesAt) ?? "",
            anonymous,
            target: { whole_commune: whole, village_ids: whole ? [] : villageIds.map(Number), groups: [] },
            questions: questions.map(toQuestion),
          },
        }),
      ),
    );
    if (created) props.onDone(created);
  }

  return (
    <form class="card" onSubmit={submit} aria-label={t("adminPeople.surveys.new")}>
      <h2>{t("adminPeople.surveys.new")}</h2>
      <Field label={t("adminPeople.surveys.titleField")} name="survey-title" required maxLength={200} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      <TextArea label={t("adminPeople.surveys.description")} name="description" maxLength={5000} rows={3} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      <div class="grid2">
        <Field label={t("adminPeople.surveys.opensAt")} name="opens_at" type="datetime-local" hint={t("adminPeople.ann.publishAtHint")} value={opensAt} onInput={(e) => setOpensAt(e.currentTarget.value)} />
        <Field label={t("adminPeople.surveys.closesAt")} name="closes_at" type="datetime-local" required value={closesAt} onInput={(e) => setClosesAt(e.currentTarget.value)} />
      </div>
      <Check label={t("adminPeople.surveys.anonymous")} checked={anonymous} onChange={setAnonymous} />
      <fieldset class="checks">
        <legend>{t("adminPeople.ann.target")}</legend>
        <Check label={t("adminPeople.ann.wholeCommune")} checked={whole} onChange={setWhole} />
        {!whole && (
          <CheckGroup
            legend={t("adminPeople.ann.villages")}
            options={props.villages.map((v) => ({ value: String(v.id), label: v.name }))}
            selected={villageIds}
            onChange={setVillageIds}
          />
        )}
      </fieldset>
      <h3>{t("adminPeople.surveys.questions")}</h3>
      {questions.map((q, i) => (
        <fieldset key={q.key} class="question">
          <legend>{t("adminPeople.surveys.questionN", { n: i + 1 })}</legend>
          <div class="grid2">
            <SelectField
              label={t("adminPeople.surveys.kindField")}
              name={`kind-${i}`}
              value={q.kind}
              onChange={(e) => update(q.key, { kind: e.currentTarget.value as Kind })}
              options={QUESTION_KINDS.map((k) => ({ value: k, label: codeLabel("adminPeople.surveys.kind", k) }))}
            />
            <Field label={t("adminPeople.surveys.prompt")} name={`prompt-${i}`} required maxLength={500} value={q.prompt} onInput={(e) => update(q.key, { prompt: e.currentTarget.value })} />
          </div>
          {(q.kind === "single_choice" || q.kind === "multiple_choice") && (
            <TextArea label={t("adminPeople.surveys.choices")} name={`choices-${i}`} required rows={3} hint={t("adminPeople.surveys.onePerLine")} value={q.choices} onInput={(e) => update(q.key, { choices: e.currentTarget.value })} />
          )}
          {q.kind === "rating" && (
            <div class="grid2">
              <Field label={t("adminPeople.surveys.scaleMin")} name={`scale-min-${i}`} type="number" min={0} max={10} value={q.scaleMin} onInput={(e) => update(q.key, { scaleMin: e.currentTarget.value })} />
              <Field label={t("adminPeople.surveys.scaleMax")} name={`scale-max-${i}`} type="number" min={1} max={10} value={q.scaleMax} onInput={(e) => update(q.key, { scaleMax: e.currentTarget.value })} />
              <Field label={t("adminOps.survey.minLabel")} name={`scale-min-label-${i}`} maxLength={60} hint={t("adminOps.survey.minLabelHint")} value={q.minLabel} onInput={(e) => update(q.key, { minLabel: e.currentTarget.value })} />
              <Field label={t("adminOps.survey.maxLabel")} name={`scale-max-label-${i}`} maxLength={60} hint={t("adminOps.survey.maxLabelHint")} value={q.maxLabel} onInput={(e) => update(q.key, { maxLabel: e.currentTarget.value })} />
            </div>
          )}
          {q.kind === "number" && (
            <div class="grid2">
              <Field label={t("adminPeople.surveys.min")} name={`min-${i}`} type="number" step="any" value={q.min} onInput={(e) => update(q.key, { min: e.currentTarget.value })} />
              <Field label={t("adminPeople.surveys.max")} name={`max-${i}`} type="number" step="any" value={q.max} onInput={(e) => update(q.key, { max: e.currentTarget.value })} />
            </div>
          )}
          {q.kind === "matrix" && (
            <div class="grid2">
              <TextArea label={t("adminPeople.surveys.rows")} name={`rows-${i}`} required rows={3} hint={t("adminPeople.surveys.onePerLine")} value={q.rows} onInput={(e) => update(q.key, { rows: e.currentTarget.value })} />
              <TextArea label={t("adminPeople.surveys.columns")} name={`columns-${i}`} required rows={3} hint={t("adminPeople.surveys.onePerLine")} value={q.columns} onInput={(e) => update(q.key, { columns: e.currentTarget.value })} />
            </div>
          )}
          <Check label={t("adminPeople.surveys.required")} checked={q.required} onChange={(required) => update(q.key, { required })} />
          <div class="row">
            <button type="button" disabled={i === 0} onClick={() => move(i, -1)} aria-label={t("adminPeople.surveys.moveUp", { n: i + 1 })}>
              {t("adminPeople.surveys.up")}
            </button>
            <button type="button" disabled={i === questions.length - 1} onClick={() => move(i, 1)} aria-label={t("adminPeople.surveys.moveDown", { n: i + 1 })}>
              {t("adminPeople.surveys.down")}
            </button>
            <button type="button" class="danger" disabled={questions.length === 1} onClick={() => setQuestions(questions.filter((x) => x.key !== q.key))} aria-label={t("adminPeople.surveys.removeN", { n: i + 1 })}>
              {t("adminPeople.surveys.remove")}
            </button>
          </div>
        </fieldset>
      ))}
      <button type="button" onClick={() => setQuestions([...questions, blank()])}>
        {t("adminPeople.surveys.addQuestion")}
      </button>
      <ErrorNotice error={publish.error} />
      <div class="row" style={{ marginTop: "0.75rem" }}>
        <button type="submit" class="primary" disabled={publish.busy}>
          {t("adminPeople.surveys.publish")}
        </button>
        <button type="button" onClick={() => props.onDone(null)}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
