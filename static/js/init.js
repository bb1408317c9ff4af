// Start GOV.UK Frontend's components (error summary focus, notification banners, password
// reveal, mobile navigation). Pages work without it; it only enhances them.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
