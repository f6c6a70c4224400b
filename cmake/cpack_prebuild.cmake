# Run by cpack after it installed the package's files into its staging directory and
# before it packs them (CPACK_PRE_BUILD_SCRIPTS): what Debian's policy asks of a .deb
# and `cmake --install` does not do - the man page gzip-compressed (-9n: no name or time,
# so the bytes are reproducible) and a changelog.Debian-style changelog.gz for this
# native package.
if(NOT CPACK_GENERATOR STREQUAL "DEB")
  return()
endif()
file(GLOB_RECURSE vp_man "${CPACK_TEMPORARY_DIRECTORY}/*/usr/share/man/man1/vaultproof.1"
     "${CPACK_TEMPORARY_DIRECTORY}/usr/share/man/man1/vaultproof.1")
foreach(page ${vp_man})
  execute_process(COMMAND gzip -9nf "${page}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip ${page} failed")
  endif()
  # the doc directory beside share/man
  get_filename_component(share "${page}" DIRECTORY)
  get_filename_component(share "${share}/../.." ABSOLUTE)
  set(changelog "${share}/doc/vaultproof/changelog")
  string(TIMESTAMP when "%a, %d %b %Y %H:%M:%S +0000" UTC)
  file(WRITE "${changelog}"
       "vaultproof (${CPACK_PACKAGE_VERSION}) unstable; urgency=medium\n\n"
       "  * vaultproof ${CPACK_PACKAGE_VERSION}, built from source with CPack\n"
       "    (the project's history is its git log).\n\n"
       " -- ${CPACK_PACKAGE_CONTACT}  ${when}\n")
  execute_process(COMMAND gzip -9nf "${changelog}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip ${changelog} failed")
  endif()
endforeach()
if(NOT vp_man)
  message(FATAL_ERROR "no man page under ${CPACK_TEMPORARY_DIRECTORY}")
endif()
