// GOV.UK Frontend's JavaScript, loaded as an ES module from the installed npm package.
import { initAll } from "/govuk/govuk-frontend.min.js";
initAll();
