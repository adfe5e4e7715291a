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
    (campo.getAttribute("aria-describedby") || "").split(" ").forEach(function (id) {
      var erro = document.getElementById(id);
      if (erro && erro.classList.contains("erro-campo")) erro.hidden = true;
    });
  });

  // A text field with a limit shows how much of it is used, as the person types
  // (templates/_limite_de_texto.html draws the line with the count the server saw).
  function contar(campo) {
    var linha = document.getElementById("limite-" + campo.id);
    var numero = linha && linha.querySelector("[data-contagem]");
    if (!numero) return;
    numero.textContent = String(campo.value.length);
    linha.classList.toggle("no-limite", campo.maxLength > 0 && campo.value.length >= campo.maxLength);
  }
  document.addEventListener("input", function (evento) {
    var campo = evento.target;
    if (campo.matches && campo.matches("[data-contar]")) contar(campo);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-contar]").forEach(contar);
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
    var motivo = form.querySelector("textarea, input[name=motivo]");
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
