// GOV.UK Frontend's opening snippet, from a file so that pages need no inline script (our
// Content-Security-Policy allows scripts from this origin only). Loaded as a classic, blocking
// script at the top of <body>: the classes must be set before anything is drawn.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
