// PROMETHEUS pages work without this file; it only makes them quicker to use.
(function () {
  "use strict";

  // The language menu sends itself when a language is picked.
  document.addEventListener("change", function (evento) {
    var alvo = evento.target;
    if (alvo.matches && alvo.matches("[data-enviar-ao-mudar]")) alvo.form.submit();
  });

  // A field shown with an error stops saying so once the person types in it.
  document.addEventListener("input", function (evento) {
    var campo = evento.target;
    if (!campo.matches || !campo.matches("[aria-invalid=true]")) return;
    campo.removeAttribute("aria-invalid");
    var erro = document.getElementById(campo.getAttribute("aria-describedby") || "");
    if (erro) erro.hidden = true;
  });

  // After a decision, focus goes to its banner, so a screen reader announces what happened.
  document.addEventListener("DOMContentLoaded", function () {
    var banner = document.querySelector("[data-focar]");
    if (banner) banner.focus();
  });

  // Forms with data-confirmar ask first, in a dialog that names what will happen. Without this
  // script the server asks on a page of its own (the form has no confirmado=sim yet).
  document.addEventListener("submit", function (evento) {
    var form = evento.target;
    if (!form.matches("form[data-confirmar]") || form.dataset.confirmado === "sim") return;
    var dialogo = document.getElementById(form.dataset.confirmar);
    if (!dialogo || typeof dialogo.showModal !== "function") return;
    if (!form.checkValidity()) return;
    evento.preventDefault();
    var motivo = form.querySelector("textarea");
    var citacao = dialogo.querySelector("[data-motivo]");
    if (citacao && motivo) citacao.textContent = motivo.value;
    dialogo.returnValue = "";
    dialogo.showModal();
    dialogo.addEventListener(
      "close",
      function () {
        if (dialogo.returnValue !== "sim") return;
        var campo = form.querySelector("input[name=confirmado]");
        if (campo) campo.value = "sim";
        form.dataset.confirmado = "sim";
        form.requestSubmit ? form.requestSubmit() : form.submit();
      },
      { once: true }
    );
  });
})();
