; Hooks into Tauri's NSIS installer (tauri.conf.json > bundle > windows > nsis > installerHooks).
;
; /HUB_URL=<url> on the installer's command line points the desktop at the contact center's
; hub and locks it there, as the MSI's HUB_URL property does:
;
;   Parley_x.y.z_x64-setup.exe /S /HUB_URL=https://hub.example.com
;
; After the files are in place, the installed binary writes the system policy file
; (%ProgramData%\Parley\desktop.toml: hub_url, lock_hub_url = true) and exits. If it fails,
; the install is aborted (exit code 2), the reason in the log and, unless silent, a message box.
; Without /HUB_URL= nothing runs, and an existing policy file is left as it is.

!include "FileFunc.nsh" ; GetParameters, GetOptions (Tauri's template includes it too; it is guarded)
!include "LogicLib.nsh"

!macro NSIS_HOOK_POSTINSTALL
  Push $0
  Push $1
  Push $2

  ${GetParameters} $0
  ; GetOptions splits the command line on the first character of the option it looks for. With
  ; "/HUB_URL=" that would be "/", and a URL's own slashes would cut its value short
  ; ("https:"); so the option is looked up with its leading space, splitting on spaces instead.
  ; A quoted value (/HUB_URL="https://…") comes back without its quotes.
  ClearErrors
  ${GetOptions} " $0" " /HUB_URL=" $1
  ${IfNot} ${Errors}
  ${AndIf} $1 != ""
    DetailPrint "Writing the Parley policy: hub_url = $1, locked"
    ClearErrors
    ExecWait '"$INSTDIR\${MAINBINARYNAME}.exe" --write-policy --hub-url "$1"' $2
    ${If} ${Errors}
      StrCpy $2 "did not start"
    ${EndIf}
    ${If} $2 != 0
      DetailPrint "${MAINBINARYNAME}.exe --write-policy failed (exit code $2)"
      MessageBox MB_ICONSTOP|MB_OK "Parley could not write its policy file for HUB_URL=$1 (exit code $2)." /SD IDOK
      Pop $2
      Pop $1
      Pop $0
      Abort "Parley could not write its policy file: see the lines above."
    ${EndIf}
  ${EndIf}

  Pop $2
  Pop $1
  Pop $0
!macroend
