import type { DoctorCheck } from "../contracts/doctor.js";
import type { Logger } from "../contracts/logger.js";
import { appKindLabel, appKindOf } from "../dify/app-kind.js";
import type { AppParameters } from "../dify/app-parameters.js";
import { DifyClient } from "../dify/dify-client.js";
import { DifyApiError, DifyUnauthorizedError } from "../dify/errors.js";
import { runInputsFor } from "../dify/run-inputs.js";
import type { RoutesSpec } from "../routing/routes-schema.js";

const CHAT_MODES = new Set(["chat", "agent-chat", "advanced-chat", "agent"]);
/** Apps the bridge runs once per message (POST /workflows/run, POST /completion-messages). */
const RUN_MODES = new Set(["workflow", "completion"]);

/** The DIFY_* app's names; an app of the routes file names its own id and key variable. */
const DEFAULT_NAMES = { area: "Dify", keyEnv: "DIFY_API_KEY", urlSetting: "DIFY_API_URL", inputsSetting: "DIFY_INPUTS", querySetting: "DIFY_QUERY_INPUT" };

/** Dify reachable, the key valid for a chat-type app, and the app features the bridge uses. */
export async function checkDify(
  settings: { apiUrl: string; apiKey: string; inputs: Readonly<Record<string, unknown>>; queryInput?: string | undefined },
  logger: Logger,
  names: { area: string; keyEnv: string; urlSetting: string; inputsSetting: string; querySetting: string } = DEFAULT_NAMES,
): Promise<DoctorCheck[]> {
  const { area, keyEnv } = names;
  const dify = new DifyClient({ baseUrl: settings.apiUrl, apiKey: settings.apiKey, logger, timeoutMs: 10_000 });
  const checks: DoctorCheck[] = [];
  try {
    const root = await dify.getRoot();
    checks.push({ area, name: "reachable", status: "pass", detail: `${settings.apiUrl} (Dify ${root.serverVersion ?? "unknown version"})` });
  } catch {
    return [
      {
        area,
        name: "reachable",
        status: "fail",
        detail: `no answer from ${settings.apiUrl}`,
        fix: `Check ${names.urlSetting}: the Service API base including /v1 (e.g. https://api.dify.ai/v1 or https://dify.example.com/v1).`,
      },
    ];
  }
  let mode = "";
  try {
    const info = await dify.getInfo();
    mode = info.mode;
    checks.push({ area, name: "API key", status: "pass", detail: `app "${info.name}"` });
    checks.push(
      CHAT_MODES.has(info.mode)
        ? { area, name: "app type", status: "pass", detail: info.mode }
        : RUN_MODES.has(info.mode)
          ? { area, name: "app type", status: "pass", detail: `${info.mode} (${appKindLabel(info.mode)} app: one run per message, no conversation kept)` }
          : {
              area,
              name: "app type",
              status: "fail",
              detail: `the key belongs to a ${info.mode || "non-chat"} app`,
              fix: "Use the API key of a Chatbot, Agent, Chatflow, Workflow or Text Generator app.",
            },
    );
  } catch (err) {
    if (err instanceof DifyUnauthorizedError) {
      return [
        ...checks,
        {
          area,
          name: "API key",
          status: "fail",
          detail: `Dify rejected ${keyEnv} (401)`,
          fix: `Copy the key from Dify → your app → API Access (it starts with app-) into ${keyEnv}.`,
        },
      ];
    }
    const status = err instanceof DifyApiError ? ` (${err.status})` : "";
    return [
      ...checks,
      {
        area,
        name: "API key",
        status: "fail",
        detail: `Dify refused the app info request${status}`,
        fix: "Check that the app exists, is published and has API access enabled.",
      },
    ];
  }
  try {
    const p = await dify.getParameters();
    checks.push(
      p.speechToText
        ? { area, name: "speech to text", status: "pass", detail: "on: voice messages are transcribed" }
        : {
            area,
            name: "speech to text",
            status: "warn",
            detail: "off: voice messages get a note instead of an answer",
            fix: "Enable Speech to Text in the app's features (and a speech model in the workspace).",
          },
    );
    checks.push(
      p.fileUpload.enabled
        ? {
            area,
            name: "file upload",
            status: "pass",
            detail: `on (${p.fileUpload.allowedTypes.join(", ") || "no types"}, up to ${p.fileUpload.numberLimit} per message)`,
          }
        : {
            area,
            name: "file upload",
            status: "warn",
            detail: "off: attached files are named in a note and not sent",
            fix: "Enable File Upload in the app's features to let people send files.",
          },
    );
    checks.push({ area, name: "suggested questions", status: "pass", detail: p.suggestedQuestionsAfterAnswer ? "on: shown as buttons after answers" : "off" });
    const run = runInputsFor(appKindOf(mode), p, { queryInput: settings.queryInput, filledElsewhere: Object.keys(settings.inputs) });
    if (run) checks.push(questionInputCheck(area, names.querySetting, run.queryInput, p.inputVariables));
    // The bridge fills the question's and the files' variables itself.
    const filled = new Set(["user_name", "user_id", ...(run?.queryInput ? [run.queryInput] : []), ...(run?.fileInput ? [run.fileInput.variable] : [])]);
    const missing = p.inputVariables.filter((v) => v.required && !(v.variable in settings.inputs) && !filled.has(v.variable));
    checks.push(
      missing.length === 0
        ? { area, name: "input variables", status: "pass", detail: p.inputVariables.length ? p.inputVariables.map((v) => v.variable).join(", ") : "none" }
        : {
            area,
            name: "input variables",
            status: "fail",
            detail: `required by the app but not configured: ${missing.map((v) => v.variable).join(", ")}`,
            fix:
              names.inputsSetting === "DIFY_INPUTS"
                ? `Set DIFY_INPUTS, e.g. DIFY_INPUTS={${missing.map((v) => `"${v.variable}":"…"`).join(",")}}.`
                : `Add them to ${names.inputsSetting}, e.g. inputs: { ${missing.map((v) => `${v.variable}: …`).join(", ")} }.`,
          },
    );
  } catch {
    checks.push({
      area,
      name: "app parameters",
      status: "fail",
      detail: "GET /parameters failed",
      fix: "Check the app's configuration in Dify (it may be incomplete).",
    });
  }
  return checks;
}

/** Where a Workflow / Text Generator run puts the question: a text variable of the app's start form. */
function questionInputCheck(area: string, setting: string, queryInput: string | undefined, form: AppParameters["inputVariables"]): DoctorCheck {
  const input = form.find((v) => v.variable === queryInput);
  if (queryInput && input) return { area, name: "question input", status: "pass", detail: `the question goes to "${queryInput}" (${input.type})` };
  if (queryInput) {
    return {
      area,
      name: "question input",
      status: "fail",
      detail: `"${queryInput}" is not an input of the app (it has: ${form.map((v) => v.variable).join(", ") || "none"})`,
      fix: `Set ${setting} to one of the app's text inputs.`,
    };
  }
  return {
    area,
    name: "question input",
    status: "fail",
    detail: "the app has no text input (paragraph or text-input) to take the question",
    fix: `Add a paragraph input to the app's start form, or set ${setting} to the input that takes the question.`,
  };
}

/** Every app of the routes file, checked like the DIFY_* app and named by its id. */
export function checkRoutedApps(spec: RoutesSpec, defaultApiUrl: string, logger: Logger): Promise<DoctorCheck[]>[] {
  return spec.apps.map((app) =>
    checkDify({ apiUrl: app.url ?? defaultApiUrl, apiKey: app.apiKey, inputs: app.inputs ?? {}, queryInput: app.query_input }, logger, {
      area: `Dify app "${app.id}"`,
      keyEnv: app.keyEnv,
      urlSetting: `the url of app "${app.id}" in ROUTES_FILE (or DIFY_API_URL)`,
      inputsSetting: `the inputs of app "${app.id}" in ROUTES_FILE`,
      querySetting: `query_input of app "${app.id}" in ROUTES_FILE`,
    }),
  );
}
