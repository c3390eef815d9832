import { useState } from "preact/hooks";
import { call, type Api } from "../api/client";
import { formatDate } from "../i18n/format";
import { roleLabel, t, useLang } from "../i18n";
import { useAsync } from "../lib/useAsync";
import { Empty, ErrorNotice, Field, Loading, Notice, SelectField } from "../ui/components";

/** Users of the commune with their roles; create a user; assign and revoke roles; the role catalogue. */
export function UsersPage({ api }: { api: Api }) {
  useLang();
  const data = useAsync(async () => {
    const [users, roles, assignments] = await Promise.all([
      call(api.GET("/api/v1/users", { params: { query: { limit: 500 } } })),
      call(api.GET("/api/v1/roles")),
      call(api.GET("/api/v1/role-assignments")),
    ]);
    return { users, roles, assignments };
  }, [api]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function revoke(userId: string, role: string) {
    setError(null);
    try {
      await call(api.DELETE("/api/v1/role-assignments", { params: { query: { user_id: userId, role } } }));
      data.reload();
    } catch (e) {
      setError(e);
    }
  }

  if (!data.data) return data.loading ? <Loading /> : <ErrorNotice error={data.error} onRetry={data.reload} />;
  const { users, roles, assignments } = data.data;
  const rolesOf = (id: string) => assignments.filter((a) => a.user_id === id).map((a) => a.role);
  const roleOptions = roles.map((r) => ({ value: r.name, label: roleLabel(r.name) }));
  const done = (text: string) => {
    setMessage(text);
    data.reload();
  };

  return (
    <section>
      <h1>{t("users.title")}</h1>
      {message && <Notice kind="ok">{message}</Notice>}
      <ErrorNotice error={error || data.error} />
      {users.length === 0 ? (
        <Empty />
      ) : (
        <table class="list">
          <thead>
            <tr>
              <th>{t("users.username")}</th>
              <th>{t("users.displayName")}</th>
              <th>{t("users.roles")}</th>
              <th>{t("users.state")}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td data-label={t("users.username")}>
                  <strong>{u.username ?? u.phone}</strong>
                  <div class="muted">{formatDate(u.created_at)}</div>
                </td>
                <td data-label={t("users.displayName")}>{u.display_name}</td>
                <td data-label={t("users.roles")}>
                  {rolesOf(u.id).length === 0 && <span class="muted">{t("assign.none")}</span>}
                  {rolesOf(u.id).map((r) => (
                    <span key={r} class="row">
                      <span class="badge">{roleLabel(r)}</span>
                      <button type="button" class="link" onClick={() => void revoke(u.id, r)}>
                        {t("assign.revoke", { role: roleLabel(r) })}
                      </button>
                    </span>
                  ))}
                </td>
                <td data-label={t("users.state")}>{u.enabled ? t("users.enabled") : t("users.disabled")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="grid2">
        <NewUserForm api={api} roleOptions={roleOptions} onDone={done} />
        <AssignForm
          api={api}
          roleOptions={roleOptions}
          userOptions={users.map((u) => ({ value: u.id, label: u.display_name || u.username || u.phone || u.id }))}
          onDone={() => done(t("common.saved"))}
        />
      </div>
      <h2>{t("roles.title")}</h2>
      <table class="list">
        <thead>
          <tr>
            <th>{t("users.role")}</th>
            <th>{t("roles.permissions")}</th>
          </tr>
        </thead>
        <tbody>
          {roles.map((r) => (
            <tr key={r.name}>
              <td data-label={t("users.role")}>
                <strong>{roleLabel(r.name)}</strong>
                <div class="muted">{r.builtin ? t("roles.builtin") : t("roles.custom")}</div>
              </td>
              <td data-label={t("roles.permissions")}>
                <span class="muted">{r.permissions.map((p) => `${p.obj}:${p.act}`).join(", ")}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

type Options = { value: string; label: string }[];

function NewUserForm(props: { api: Api; roleOptions: Options; onDone: (msg: string) => void }) {
  const [form, setForm] = useState({ username: "", display_name: "", email: "", password: "", role: "commune_official" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value });

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const u = await call(props.api.POST("/api/v1/users", { body: { ...form, email: form.email.trim() || null } }));
      setForm({ ...form, username: "", display_name: "", email: "", password: "" });
      props.onDone(t("users.created", { name: u.username ?? "" }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card" onSubmit={submit}>
      <h2>{t("users.add")}</h2>
      <ErrorNotice error={error} />
      <Field label={t("users.username")} name="new-username" required minLength={3} value={form.username} onInput={set("username")} />
      <Field label={t("users.displayName")} name="display_name" value={form.display_name} onInput={set("display_name")} />
      <Field label={t("users.email")} name="email" type="email" value={form.email} onInput={set("email")} />
      <Field
        label={t("users.password")}
        name="new-password"
        type="password"
        autocomplete="new-password"
        required
        minLength={8}
        value={form.password}
        onInput={set("password")}
      />
      <SelectField label={t("users.role")} name="role" value={form.role} onChange={set("role")} options={props.roleOptions} />
      <button type="submit" class="primary" disabled={busy}>
        {t("common.create")}
      </button>
    </form>
  );
}

function AssignForm(props: { api: Api; roleOptions: Options; userOptions: Options; onDone: () => void }) {
  const [user, setUser] = useState(props.userOptions[0]?.value ?? "");
  const [role, setRole] = useState(props.roleOptions[0]?.value ?? "");
  const [error, setError] = useState<unknown>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      await call(props.api.POST("/api/v1/role-assignments", { body: { user_id: user, role } }));
      props.onDone();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <form class="card" onSubmit={submit}>
      <h2>{t("assign.title")}</h2>
      <ErrorNotice error={error} />
      <SelectField label={t("assign.user")} name="assign-user" value={user} onChange={(e) => setUser(e.currentTarget.value)} options={props.userOptions} />
      <SelectField label={t("users.role")} name="assign-role" value={role} onChange={(e) => setRole(e.currentTarget.value)} options={props.roleOptions} />
      <button type="submit" class="primary">
        {t("assign.submit")}
      </button>
    </form>
  );
}
