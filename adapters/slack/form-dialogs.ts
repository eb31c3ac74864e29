import type { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { ButtonAction } from "../../src/contracts/actions.js";
import type { InboundSink } from "../../src/contracts/chat-platform.js";
import type { FormDialog, FormDialogSource } from "../../src/contracts/forms.js";
import type { Logger } from "../../src/contracts/logger.js";

/**
 * A form button whose form has fields opens a modal (docs.slack.dev/surfaces/modals: `views.open` with the
 * click's `trigger_id`, valid for three seconds); its `view_submission` comes back to the core as a click on
 * that button carrying the values. The click itself travels in the view's `private_metadata` (3,000 characters),
 * so whichever process receives the submission can hand it on without any state of its own.
 */

const FORM_CALLBACK_ID = "dify_bridge_form";

/** Slack's modal limits: title and button texts 24 characters, options 75 (text) and 150 (value), 100 options. */
const LIMITS = { title: 24, option: 75, value: 150, options: 100, label: 2_000, initial: 3_000 } as const;

const cut = (text: string, max: number) => ([...text].length <= max ? text : `${[...text].slice(0, max - 1).join("")}…`);
const plain = (text: string, max: number) => ({ type: "plain_text" as const, text: cut(text.trim() || "…", max) });

/** The modal for a dialog; `metadata` is the click it stands for. */
function renderFormModal(dialog: FormDialog, metadata: string): Record<string, unknown> {
  return {
    type: "modal",
    callback_id: FORM_CALLBACK_ID,
    private_metadata: metadata,
    title: plain(dialog.title, LIMITS.title),
    submit: plain(dialog.submitLabel, LIMITS.title),
    close: plain("Cancel", LIMITS.title),
    blocks: dialog.fields.map((f, i) => ({
      type: "input",
      block_id: `field_${i}`,
      optional: true,
      label: plain(f.label, LIMITS.label),
      element:
        f.kind === "select"
          ? {
              type: "static_select",
              action_id: f.name,
              options: (f.options ?? []).slice(0, LIMITS.options).map((o) => ({ text: plain(o, LIMITS.option), value: o.slice(0, LIMITS.value) })),
              ...(f.defaultValue && f.options?.includes(f.defaultValue)
                ? { initial_option: { text: plain(f.defaultValue, LIMITS.option), value: f.defaultValue.slice(0, LIMITS.value) } }
                : {}),
            }
          : {
              type: "plain_text_input",
              action_id: f.name,
              multiline: true,
              ...(f.defaultValue ? { initial_value: f.defaultValue.slice(0, LIMITS.initial) } : {}),
            },
    })),
  };
}

interface ViewSubmissionBody {
  readonly user?: { readonly id?: string };
  readonly view?: {
    readonly id?: string;
    readonly private_metadata?: string;
    readonly state?: {
      readonly values?: Record<string, Record<string, { type?: string; value?: string | null; selected_option?: { value?: string } | null }>>;
    };
  };
}

/** The values of a submitted modal, by field name (`action_id`). */
function submittedValues(body: ViewSubmissionBody): Record<string, string> {
  const out: Record<string, string> = {};
  for (const block of Object.values(body.view?.state?.values ?? {})) {
    for (const [name, element] of Object.entries(block)) {
      const value = element.type === "static_select" ? element.selected_option?.value : element.value;
      if (typeof value === "string") out[name] = value;
    }
  }
  return out;
}

/**
 * Opens the modal for a click when its button has one: true when it did (the click is then not forwarded; its
 * submission will be). Failures are logged and the click goes on as a plain one (the form is sent with defaults).
 */
export async function openFormModal(
  client: WebClient,
  forms: FormDialogSource | undefined,
  action: ButtonAction,
  triggerId: string | undefined,
  logger: Logger,
): Promise<boolean> {
  if (!forms || !triggerId) return false;
  const dialog = await forms(action.actionId).catch((err: unknown) => {
    logger.warn({ err }, "could not look up the form for a click");
    return null;
  });
  if (!dialog) return false;
  try {
    await client.views.open({ trigger_id: triggerId, view: renderFormModal(dialog, JSON.stringify(action)) as never });
    return true;
  } catch (err) {
    logger.warn({ err }, "slack views.open failed; the form is sent without its fields");
    return false;
  }
}

/**
 * `view_submission` of a form modal → the click it stands for, with the values; Slack closes the modal on ack.
 * Only the person a modal was opened for can submit it, so the click's author is the submitter.
 */
export function registerFormSubmissions(app: App, sink: InboundSink, logger: Logger): void {
  app.view(FORM_CALLBACK_ID, async ({ ack, body }) => {
    await ack();
    const b = body as unknown as ViewSubmissionBody;
    let action: ButtonAction;
    try {
      action = JSON.parse(b.view?.private_metadata ?? "") as ButtonAction;
    } catch {
      logger.warn({}, "slack form submission without its click");
      return;
    }
    await sink({
      kind: "action",
      action: {
        ...action,
        values: submittedValues(b),
        dedupeKey: `${action.dedupeKey}-v${(b.view?.id ?? "").replace(/[^A-Za-z0-9]/g, "")}`,
        receivedAt: new Date().toISOString(),
      },
    });
  });
}
