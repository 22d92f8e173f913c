// The signed-in person: sign-in and sign-out (through api.js, which sends the CSRF header).
import { ApiError, fetchJson, postJson } from "../api.js";

/** The signed-in person, or null when nobody is signed in. */
export async function currentUser() {
  const { status, data } = await fetchJson("/api/auth/me", { allowStatus: [401] });
  return status === 401 ? null : data;
}

/**
 * Sign in. Returns { user } on success or { errorKey } saying why not, in words for the form:
 * wrong name/password, locked account, too many attempts.
 */
export async function signIn(username, password) {
  const { status, data } = await postJson("/api/auth/login", { username, password }, { allowStatus: [400, 401, 423, 429] });
  if (status === 200) return { user: data };
  const errorKey = { 400: "signin.invalid", 401: "signin.wrong", 423: "signin.locked", 429: "signin.throttled" }[status];
  return { errorKey, detail: data?.detail ?? "" };
}

export async function signOut() {
  await postJson("/api/auth/logout", undefined, { allowStatus: [401] });
}

export { ApiError };
