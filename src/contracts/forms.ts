/**
 * A form a person fills in from the chat (a Dify Human Input node): platform-neutral, so the core never builds
 * Slack or Discord views. The reply shows the form's text and one button per action; a button whose form has
 * fields opens a dialog first (Slack modal, Discord modal) and its submission comes back as a `ButtonAction`
 * carrying `values`.
 */

export interface FormField {
  /** The name the values come back under (Dify's `output_variable_name`). */
  readonly name: string;
  readonly label: string;
  /** "paragraph": free text over several lines; "select": one of `options`. */
  readonly kind: "paragraph" | "select";
  readonly options?: readonly string[];
  readonly defaultValue?: string;
}

/** The dialog a button opens. `actionId` is the button's: the submission is delivered as a click on it. */
export interface FormDialog {
  readonly actionId: string;
  readonly title: string;
  /** The submit button's label (the chosen action's title). */
  readonly submitLabel: string;
  readonly fields: readonly FormField[];
}

/**
 * What the adapter asks when a button is clicked, before it acknowledges the click: the dialog to open instead,
 * or null for a plain click. Answers within a few milliseconds (one Redis read), well inside the platforms'
 * three seconds.
 */
export type FormDialogSource = (actionId: string) => Promise<FormDialog | null>;
