// GOV.UK Frontend's JavaScript, loaded as an ES module from the installed npm package.
import { initAll } from "/govuk/govuk-frontend.min.js";
initAll();

// GOV.UK Frontend marks radios and checkboxes that reveal a follow-up question with
// aria-expanded, which ARIA does not allow on those roles (a known issue, alphagov/govuk-frontend
// #979) and which accessibility audits of council sites report. The follow-up question comes right
// after the answer that reveals it, so nothing is lost by leaving the state out.
const stripExpanded = (input) => input.removeAttribute("aria-expanded");
const revealing = 'input[type="radio"][aria-controls], input[type="checkbox"][aria-controls]';
document.querySelectorAll(revealing).forEach(stripExpanded);
new MutationObserver((changes) => changes.forEach((change) => {
  if (change.target.matches(revealing) && change.target.hasAttribute("aria-expanded")) {
    stripExpanded(change.target);
  }
})).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["aria-expanded"] });
